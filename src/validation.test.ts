import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './spec.ts';
import { discriminatedTest, schemaTest } from './validation.ts';

const isEventByOneOf = schemaTest('WebhookEvent');
const isEventByType = discriminatedTest('WebhookEvent', 'type');
const EVENT_TYPES = (openApiDocument.components.schemas.WebhookEventType as { enum: string[] }).enum;

const SCHEMAS = openApiDocument.components.schemas as Record<string, { oneOf?: { $ref: string }[]; properties?: Record<string, { const?: string; enum?: string[]; properties?: Record<string, unknown> }> }>;
/** Each event type's data fields, read from the branch of WebhookEvent that fixes that type. */
const DATA_FIELDS = new Map<string, string[]>();
for (const { $ref } of SCHEMAS.WebhookEvent!.oneOf!) {
  const branch = SCHEMAS[$ref.slice($ref.lastIndexOf('/') + 1)]!;
  const type = branch.properties!.type!;
  for (const name of type.enum ?? [type.const!]) DATA_FIELDS.set(name, Object.keys(branch.properties!.data!.properties!));
}
const GOOD: Record<string, string> = {
  orderId: 'ord_1234567890', patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', refillId: 'ref_abc123',
  trackingNumber: '1Z999AA10123456784', estimatedDeliveryDate: '2025-01-20', status: 'processing',
};

/** A well-formed event of a random type, then at most one corruption of it. */
const eventLike = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  otherType: fc.constantFrom(...EVENT_TYPES),
  corruption: fc.constantFrom('none', 'drop field', 'extra field', 'bad value', 'other type', 'unknown type', 'bad id', 'bad time'),
  pick: fc.nat(),
}).map(({ type, otherType, corruption, pick }) => {
  const fields = DATA_FIELDS.get(type)!;
  const data: Record<string, unknown> = Object.fromEntries(fields.map((field) => [field, GOOD[field]]));
  const event: Record<string, unknown> = { id: 'evt_abc123', type, createdAt: '2025-01-15T16:30:00Z', data };
  const field = fields[pick % fields.length]!;
  if (corruption === 'drop field') delete data[field];
  if (corruption === 'extra field') data.extra = true;
  if (corruption === 'bad value') data[field] = 'not valid';
  if (corruption === 'other type') event.type = otherType;
  if (corruption === 'unknown type') event.type = 'order.unknown';
  if (corruption === 'bad id') event.id = 'ord_123';
  if (corruption === 'bad time') event.createdAt = 'yesterday';
  return event;
});

describe('discriminatedTest', () => {
  it('accepts a well-formed event of a published type', () => {
    const event = {
      id: 'evt_abc123', type: 'order.created', createdAt: '2025-01-15T16:30:00Z',
      data: { orderId: 'ord_1234567890', patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', status: 'pending' },
    };
    expect({ byType: isEventByType(event), byOneOf: isEventByOneOf(event) }).toEqual({ byType: true, byOneOf: true });
  });

  it('decides every event-like value as the oneOf does', () => {
    fc.assert(fc.property(eventLike, (value) => isEventByType(value) === isEventByOneOf(value)), { numRuns: 2000 });
  });

  it('meets both valid and invalid events among the generated ones', () => {
    const verdicts = new Set(fc.sample(eventLike, 500).map(isEventByOneOf));
    expect([...verdicts].sort()).toEqual([false, true]);
  });

  it('refuses values that are not objects', () => {
    expect([null, undefined, 'order.created', 42, []].map(isEventByType)).toEqual([false, false, false, false, false]);
  });

  it('refuses a schema that is not a oneOf', () => {
    expect(() => discriminatedTest('Order', 'status')).toThrow(/not a oneOf/);
  });
});

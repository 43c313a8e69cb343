import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isoTime } from '../clock.ts';
import { ORDER_OUTCOMES, ORDER_REFUSALS, type MagicRefusal } from '../domain/magic-values.ts';
import { TEST_PATIENT_IDS, TEST_PRESCRIPTION_IDS } from '../domain/test-data.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => isoTime(START + ms);

const VALID_ORDER = {
  patientId: 'pat_test_001',
  prescriptionId: 'rx_test_001',
  shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
};

/** VALID_ORDER with one field (a dotted path) set to `value`. */
function orderWith(field: string, value: string) {
  const [head, child] = field.split('.') as [string, string | undefined];
  return child === undefined
    ? { ...VALID_ORDER, [head]: value }
    : { ...VALID_ORDER, shippingAddress: { ...VALID_ORDER.shippingAddress, [child]: value } };
}

function api(options: SandboxOptions = {}) {
  const sandbox: Sandbox = createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false, ...options });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await sandbox.request(path, {
      method,
      headers: { 'X-API-Key': 'key_a', 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  return {
    call,
    create: (body: unknown, headers: Record<string, string> = {}) => call('POST', '/orders', body, headers),
    advanceClock: (ms: number) => call('POST', '/sandbox/clock/advance', { seconds: ms / 1000 }),
    order: async (orderId: string) => (await call('GET', `/orders/${orderId}`)).body,
    history: async (orderId: string) => (await call('GET', `/sandbox/orders/${orderId}/history`)).body.history as { status: string; at: string; reason: string }[],
    orderCount: async () => (await call('GET', '/sandbox/orders?limit=100')).body.data.length as number,
  };
}

const refusalName = (refusal: MagicRefusal) => `${refusal.field} = ${refusal.value}`;
const refusals = ORDER_REFUSALS.map((refusal) => ({ ...refusal, name: refusalName(refusal) }));

describe('magic refusals (every entry of ORDER_REFUSALS)', () => {
  it('has entries to test', () => {
    expect(ORDER_REFUSALS.length).toBeGreaterThan(0);
  });

  it.each(refusals)('refuses $name with 422 validation_error, naming the field and reason', async ({ field, value, reason }) => {
    const reply = await api().create(orderWith(field, value));
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'validation_error', details: { field, reason } });
  });

  it.each(refusals)('creates no order for $name', async ({ field, value }) => {
    const client = api();
    const before = await client.orderCount();
    await client.create(orderWith(field, value));
    expect(await client.orderCount()).toBe(before);
  });

  it.each(refusals)('does not consume the Idempotency-Key when refusing $name', async ({ field, value }) => {
    const client = api();
    const key = { 'Idempotency-Key': 'magic-retry' };
    await client.create(orderWith(field, value), key);
    const retry = await client.create(VALID_ORDER, key);
    expect(retry.status).toBe(201);
  });

  it('accepts the same order without the magic value', async () => {
    expect((await api().create(VALID_ORDER)).status).toBe(201);
  });
});

describe('magic outcomes', () => {
  async function placed(prescriptionId: string) {
    const client = api();
    const reply = await client.create({ ...VALID_ORDER, prescriptionId });
    expect(reply.status).toBe(201);
    return { client, orderId: reply.body.id as string };
  }

  it.each(Object.keys(ORDER_OUTCOMES))('accepts %s with 201 pending', async (prescriptionId) => {
    const client = api();
    const reply = await client.create({ ...VALID_ORDER, prescriptionId });
    expect([reply.status, reply.body.status]).toEqual([201, 'pending']);
  });

  it('moves rx_test_hold to processing after an hour', async () => {
    const { client, orderId } = await placed('rx_test_hold');
    await client.advanceClock(HOUR);
    expect((await client.order(orderId)).status).toBe('processing');
  });

  it('keeps rx_test_hold in processing for 30 days and more', async () => {
    const { client, orderId } = await placed('rx_test_hold');
    await client.advanceClock(30 * DAY);
    expect((await client.history(orderId)).map((change) => change.status)).toEqual(['pending', 'processing']);
  });

  it('lets rx_test_hold be cancelled while held', async () => {
    const { client, orderId } = await placed('rx_test_hold');
    await client.advanceClock(30 * DAY);
    expect((await client.call('DELETE', `/orders/${orderId}`)).body.status).toBe('cancelled');
  });

  it('keeps rx_test_unfillable in processing until it would have shipped', async () => {
    const { client, orderId } = await placed('rx_test_unfillable');
    await client.advanceClock(HOUR + DAY - 1000);
    expect((await client.order(orderId)).status).toBe('processing');
  });

  it('cancels rx_test_unfillable by the pharmacy at the time it would have shipped', async () => {
    const { client, orderId } = await placed('rx_test_unfillable');
    await client.advanceClock(5 * DAY);
    expect(await client.history(orderId)).toEqual([
      { status: 'pending', at: at(0), reason: 'Created' },
      { status: 'processing', at: at(HOUR), reason: expect.any(String) },
      { status: 'cancelled', at: at(HOUR + DAY), reason: 'The pharmacy could not fill the prescription' },
    ]);
  });

  it('never gives rx_test_unfillable a tracking number', async () => {
    const { client, orderId } = await placed('rx_test_unfillable');
    await client.advanceClock(5 * DAY);
    const order = await client.order(orderId);
    expect(order).toMatchObject({ status: 'cancelled', updatedAt: at(HOUR + DAY) });
    expect(order).not.toHaveProperty('trackingNumber');
  });
});

describe('strictReferences', () => {
  const strict = () => api({ strictReferences: true });

  it('refuses an unknown patient with 422 Patient not found', async () => {
    const reply = await strict().create({ ...VALID_ORDER, patientId: 'pat_unknown_42' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([422, 'validation_error', { field: 'patientId', reason: 'Patient not found' }]);
  });

  it('refuses an unknown prescription with 422 Prescription not found', async () => {
    const reply = await strict().create({ ...VALID_ORDER, prescriptionId: 'rx_unknown_42' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([422, 'validation_error', { field: 'prescriptionId', reason: 'Prescription not found' }]);
  });

  it.each(TEST_PATIENT_IDS)('accepts the published test patient %s', async (patientId) => {
    expect((await strict().create({ ...VALID_ORDER, patientId })).status).toBe(201);
  });

  it.each(TEST_PRESCRIPTION_IDS)('accepts the published test prescription %s', async (prescriptionId) => {
    expect((await strict().create({ ...VALID_ORDER, prescriptionId })).status).toBe(201);
  });

  it('lists the published test ids', () => {
    expect([TEST_PATIENT_IDS, TEST_PRESCRIPTION_IDS]).toEqual([
      ['pat_1234567890', 'pat_test_001', 'pat_test_002'],
      ['rx_9876543210', 'rx_test_001', 'rx_test_002'],
    ]);
  });

  it('accepts unknown ids by default (basic validation)', async () => {
    expect((await api().create({ ...VALID_ORDER, patientId: 'pat_unknown_42', prescriptionId: 'rx_unknown_42' })).status).toBe(201);
  });
});

describe('the spec documents every magic value', () => {
  const spec = parse(readFileSync(new URL('../../spec/openapi.yaml', import.meta.url), 'utf8'));
  const listed: Array<{ field: string; value: string; status: number; code?: string; reason?: string }> =
    spec.components.schemas.CreateOrderRequest['x-nimbus-magic-values'];

  it.each(refusals)('documents the refusal $name with its reason', ({ field, value, reason }) => {
    expect(listed).toContainEqual(expect.objectContaining({ field, value, status: 422, code: 'validation_error', reason }));
  });

  it.each(Object.keys(ORDER_OUTCOMES))('documents the outcome %s as accepted', (value) => {
    expect(listed.find((magic) => magic.field === 'prescriptionId' && magic.value === value)?.status).toBe(201);
  });

  it('documents no magic value the code lacks', () => {
    expect(listed).toHaveLength(ORDER_REFUSALS.length + Object.keys(ORDER_OUTCOMES).length);
  });
});

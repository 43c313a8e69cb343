import { describe, expect, it } from 'vitest';
import spec from '../generated/spec.json' with { type: 'json' };
import { operationErrorCodes, possibilitiesOf } from './possibilities.ts';

type Json = Record<string, any>;

/** A copy of the spec to change. */
const specCopy = (): Json => structuredClone(spec) as Json;

describe('possibilitiesOf: what coverage counts, from the spec alone', () => {
  const possibilities = possibilitiesOf(spec);

  it('lists the published operations only: no /sandbox operation, no keyless one, no 401', () => {
    const operations = new Set(possibilities.responses.map((response) => response.operationId));
    expect([...operations]).toEqual(['createOrder', 'getOrder', 'cancelOrder', 'createRefill', 'getRefill', 'sendTestWebhook']);
    expect(possibilities.responses.filter((response) => response.status === 401)).toEqual([]);
  });

  it('splits a status several codes share by the operation\'s x-nimbus-codes, and gives success no code', () => {
    const of = (operationId: string, status: number) => possibilities.responses
      .filter((response) => response.operationId === operationId && response.status === status).map((response) => response.code);
    expect(of('createOrder', 201)).toEqual([undefined]);
    expect(of('createOrder', 409)).toEqual(['idempotency_key_conflict', 'idempotency_key_in_use', 'limit_reached']);
    expect(of('cancelOrder', 409)).toEqual(['order_not_cancellable']);
    expect(of('createOrder', 422)).toEqual(['validation_error']);
    expect(of('createRefill', 422)).toEqual(['validation_error', 'refill_not_eligible']);
    expect(of('getOrder', 404)).toEqual(['not_found']);
  });

  it('hints how to meet each answer: a magic value, the fault header, or the code\'s x-nimbus-when', () => {
    const hint = (operationId: string, status: number, code?: string) => possibilities.responses
      .find((response) => response.operationId === operationId && response.status === status && response.code === code)?.hint;
    expect(hint('createRefill', 422, 'refill_not_eligible')).toMatch(/^Send prescriptionId "rx_test_expired" /);
    expect(hint('getOrder', 503, 'service_unavailable')).toMatch(/^Send the header Nimbus-Sandbox-Fault: 503;/);
    expect(hint('createOrder', 409, 'idempotency_key_conflict')).toBe(spec.components.schemas.ErrorCode['x-nimbus-when'].idempotency_key_conflict);
    expect(hint('getOrder', 200)).toBe('The order, in the status it has now.');
  });

  it('lists both status enums, every event type, each create operation\'s magic values and every fault kind', () => {
    const schemas = spec.components.schemas;
    expect(possibilities.statuses).toEqual([
      ...schemas.OrderStatus.enum.map((status) => ({ kind: 'order', status })),
      ...schemas.RefillStatus.enum.map((status) => ({ kind: 'refill', status })),
    ]);
    expect(possibilities.events.map(({ type }) => type)).toEqual(schemas.WebhookEventType.enum);
    expect(possibilities.faults.map(({ kind }) => kind)).toEqual(schemas.FaultKind.enum);
    expect(possibilities.magicValues.map(({ operationId, field, value }) => `${operationId} ${field}=${value}`)).toEqual([
      ...schemas.CreateOrderRequest['x-nimbus-magic-values'].map(({ field, value }) => `createOrder ${field}=${value}`),
      ...schemas.CreateRefillRequest['x-nimbus-magic-values'].map(({ field, value }) => `createRefill ${field}=${value}`),
    ]);
  });

  it('says how to meet each event, from the summary of the webhook whose body carries its type, and each fault, by its header', () => {
    const hint = (type: string) => possibilities.events.find((event) => event.type === type)!.hint;
    expect(hint('order.fulfilled')).toBe(`Register an endpoint (POST /sandbox/webhook-endpoints) whose events include order.fulfilled, then: ${(spec as any).webhooks['order.fulfilled'].post.summary}`);
    expect(hint('refill.shipped')).toBe(`Register an endpoint (POST /sandbox/webhook-endpoints) whose events include refill.shipped, then: ${(spec as any).webhooks['refill.status'].post.summary}`);
    expect(possibilities.faults.find((fault) => fault.kind === '503')!.hint).toBe('Send the header Nimbus-Sandbox-Fault: 503, or start with --fault-rate');
    expect(possibilities.faults.find((fault) => fault.kind === 'latency')!.hint).toBe('Send the header Nimbus-Sandbox-Fault: latency (or latency=MS), or start with --fault-rate');
  });

  it('changes when the spec gains a response, a code, an event type or a magic value', () => {
    const changed = specCopy();
    changed.paths['/orders/{orderId}'].get.responses['400'] = { $ref: '#/components/responses/BadRequest' };
    changed.paths['/orders'].post['x-nimbus-codes']['422'] = ['validation_error', 'refill_not_eligible'];
    changed.components.schemas.WebhookEventType.enum.push('order.returned');
    changed.components.schemas.CreateOrderRequest['x-nimbus-magic-values'].push({ field: 'notes', value: 'lost', status: 422, code: 'validation_error', reason: 'Lost', description: 'Lost' });
    const after = possibilitiesOf(changed);
    const key = ({ operationId, status, code }: { operationId: string; status: number; code?: string }) => ({ operationId, status, code });
    const before = new Set(possibilities.responses.map((response) => JSON.stringify(key(response))));
    expect(after.responses.map(key).filter((response) => !before.has(JSON.stringify(response)))).toEqual([
      { operationId: 'createOrder', status: 422, code: 'refill_not_eligible' },
      { operationId: 'getOrder', status: 400, code: 'invalid_request' },
    ]);
    expect(after.events.at(-1)).toEqual({ type: 'order.returned', hint: 'Register an endpoint (POST /sandbox/webhook-endpoints) whose events include order.returned' });
    expect(after.magicValues.filter((magic) => magic.field === 'notes')).toEqual([{ operationId: 'createOrder', field: 'notes', value: 'lost', hint: 'Lost' }]);
  });

  it('leaves out a response the spec drops', () => {
    const changed = specCopy();
    delete changed.paths['/orders/{orderId}'].delete.responses['409'];
    delete changed.paths['/orders/{orderId}'].delete['x-nimbus-codes'];
    expect(possibilitiesOf(changed).responses.some((response) => response.code === 'order_not_cancellable')).toBe(false);
  });
});

describe('operationErrorCodes: x-nimbus-codes checked against ErrorCode\'s x-nimbus-statuses', () => {
  it('refuses a shared status left unsaid', () => {
    const changed = specCopy();
    delete changed.paths['/orders'].post['x-nimbus-codes']['409'];
    expect(() => operationErrorCodes(changed)).toThrow(/createOrder's x-nimbus-codes must say which of idempotency_key_conflict, .* createOrder answers with 409/);
  });

  it('refuses a code of another status', () => {
    const changed = specCopy();
    changed.paths['/orders'].post['x-nimbus-codes']['409'].push('validation_error');
    expect(() => operationErrorCodes(changed)).toThrow(/createOrder's x-nimbus-codes.409 lists validation_error, not 409 codes/);
  });

  it('refuses a status the operation does not document, on /sandbox operations too', () => {
    const changed = specCopy();
    changed.paths['/sandbox/reset'].post['x-nimbus-codes']['404'] = ['not_found'];
    expect(() => operationErrorCodes(changed)).toThrow(/sandboxReset's x-nimbus-codes names 404, which sandboxReset does not document/);
  });

  it('needs no extension where the status has one code', () => {
    expect(operationErrorCodes(spec).get('getOrder')).toEqual(new Map([
      [401, ['unauthorized']], [404, ['not_found']], [429, ['rate_limit_exceeded']], [500, ['internal_error']], [503, ['service_unavailable']],
    ]));
  });
});

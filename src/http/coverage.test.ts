import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxCoverage } from '../api-types.ts';
import { ManualClock } from '../clock.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import spec from '../generated/spec.json' with { type: 'json' };
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { schemaTest } from '../validation.ts';
import type { WebhookSender } from '../webhooks/webhook-service.ts';
import { sandboxCaller } from '../../test/support/sandbox-caller.ts';

const T0 = Date.parse('2025-06-02T12:00:00Z');
const KEY = 'sk_test_coverage';
const DAY_SECONDS = 86_400;
const HOOK_URL = 'http://receiver.test/hooks';
const ORDER = { patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } };
const REFILL = { prescriptionId: 'rx_test_002', patientId: 'pat_test_002' };
const isCoverage = schemaTest('SandboxCoverage');

let opened: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
  opened = [];
});

/** Acknowledges every event, and records each type it was sent. */
function receiver(answer: (type: string, attempt: number) => number = () => 204) {
  const sent: string[] = [];
  const attempts = new Map<string, number>();
  const send: WebhookSender = async (_url, body) => {
    const event = JSON.parse(body) as { id: string; type: string };
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    sent.push(event.type);
    const status = answer(event.type, attempt);
    return { status, error: status < 300 ? null : `Answered ${status}` };
  };
  return { send, sent };
}

function setup(options: SandboxOptions = {}) {
  const sandbox = createSandbox({
    clockMode: 'virtual', startTime: T0, realClock: new ManualClock(T0), sweepIntervalMs: 0, rateLimit: false,
    webhookSender: receiver().send, delay: async () => {}, ...options,
  });
  opened.push(sandbox);
  const call = sandboxCaller(sandbox, KEY);
  const coverage = async (key = KEY): Promise<SandboxCoverage> => {
    const reply = await sandboxCaller(sandbox, key)('GET', '/sandbox/coverage');
    expect(reply.status, reply.text).toBe(200);
    expect(isCoverage(reply.body), reply.text).toBe(true);
    return reply.body;
  };
  return { sandbox, call, coverage };
}

/** The entries met, without hints: what a field-by-field check compares. */
function met(report: SandboxCoverage) {
  const strip = <T extends { count: number }>(entries: T[]) => entries.filter((entry) => entry.count > 0).map(({ hint: _, ...rest }: T & { hint?: string }) => rest);
  return {
    responses: strip(report.responses),
    statuses: strip(report.statuses),
    events: strip(report.events),
    magicValues: strip(report.magicValues),
    faults: strip(report.faults),
  };
}

function response(report: SandboxCoverage, operationId: string, status: number, code?: string) {
  const found = report.responses.find((entry) => entry.operationId === operationId && entry.status === status && entry.code === code);
  if (found === undefined) throw new Error(`no ${operationId} ${status} ${code ?? ''} in the coverage`);
  return found;
}

const event = (report: SandboxCoverage, type: string) => report.events.find((entry) => entry.type === type)!;

describe('GET /sandbox/coverage', () => {
  it('meets the issue\'s "done when": a create, a 422 and a read, then order.fulfilled after a 5-day advance with an endpoint', async () => {
    const { call, coverage } = setup();
    expect((await call('POST', '/orders', ORDER)).status).toBe(201);
    expect((await call('POST', '/orders', { ...ORDER, prescriptionId: 'rx_test_expired' })).status).toBe(422);
    const created = await call('POST', '/orders', ORDER);
    expect((await call('GET', `/orders/${created.body.id}`)).status).toBe(200);

    let report = await coverage();
    expect(response(report, 'createOrder', 201).count).toBeGreaterThanOrEqual(1);
    expect(response(report, 'createOrder', 422, 'validation_error').count).toBeGreaterThanOrEqual(1);
    expect(response(report, 'createOrder', 409, 'idempotency_key_conflict').count).toBe(0);
    expect(event(report, 'order.fulfilled').count).toBe(0);
    expect(report.summary.seen).toBeLessThan(report.summary.total);

    expect((await call('POST', '/sandbox/webhook-endpoints', { url: HOOK_URL })).status).toBe(201);
    expect((await call('POST', '/sandbox/clock/advance', { seconds: 5 * DAY_SECONDS })).status).toBe(200);
    report = await coverage();
    expect(event(report, 'order.fulfilled').count).toBeGreaterThanOrEqual(1);
  });

  it('reports a scripted run field by field: create, replay, conflict, a magic 422, cancel, a 5-day advance with an endpoint, a refill', async () => {
    const hooks = receiver((type, attempt) => (type === 'order.fulfilled' && attempt === 1 ? 503 : 204));
    const { call, coverage } = setup({ webhookSender: hooks.send });
    expect((await call('POST', '/sandbox/webhook-endpoints', { url: HOOK_URL })).status).toBe(201);
    const first = await call('POST', '/orders', ORDER, { 'Idempotency-Key': 'one' });
    expect(first.status).toBe(201);
    expect((await call('POST', '/orders', ORDER, { 'Idempotency-Key': 'one' })).headers.get('idempotent-replayed')).toBe('true');
    expect((await call('POST', '/orders', { ...ORDER, notes: 'other' }, { 'Idempotency-Key': 'one' })).status).toBe(409);
    expect((await call('POST', '/orders', { ...ORDER, shippingAddress: { ...ORDER.shippingAddress, zip: '00000' } })).status).toBe(422);
    const second = await call('POST', '/orders', ORDER);
    expect((await call('DELETE', `/orders/${second.body.id}`)).status).toBe(200);
    expect((await call('POST', '/sandbox/clock/advance', { seconds: 5 * DAY_SECONDS })).status).toBe(200);
    const refill = await call('POST', '/refills', REFILL);
    expect(refill.status, refill.text).toBe(201);
    expect((await call('GET', `/refills/${refill.body.id}`)).status).toBe(200);

    const report = await coverage();
    expect(met(report)).toEqual({
      responses: [
        { operationId: 'createOrder', status: 201, count: 3, replayed: 1 },
        { operationId: 'createOrder', status: 409, code: 'idempotency_key_conflict', count: 1, replayed: 0 },
        { operationId: 'createOrder', status: 422, code: 'validation_error', count: 1, replayed: 0 },
        { operationId: 'cancelOrder', status: 200, count: 1, replayed: 0 },
        { operationId: 'createRefill', status: 201, count: 1, replayed: 0 },
        { operationId: 'getRefill', status: 200, count: 1, replayed: 0 },
      ],
      statuses: [
        { kind: 'order', status: 'pending', count: 2 },
        { kind: 'order', status: 'processing', count: 1 },
        { kind: 'order', status: 'shipped', count: 1 },
        { kind: 'order', status: 'delivered', count: 1 },
        { kind: 'order', status: 'cancelled', count: 1 },
        { kind: 'refill', status: 'pending', count: 1 },
      ],
      // A new endpoint takes the published events: created, fulfilled (here retried once), refill.ready.
      events: [
        { type: 'order.created', count: 2, acknowledged: 2, retried: 0 },
        { type: 'order.fulfilled', count: 1, acknowledged: 1, retried: 1 },
      ],
      magicValues: [{ operationId: 'createOrder', field: 'shippingAddress.zip', value: '00000', count: 1 }],
      faults: [],
    });
    expect(report.summary).toEqual({ seen: 15, total: report.responses.length + report.statuses.length + report.events.length + report.magicValues.length + report.faults.length });
    expect(hooks.sent.filter((type) => type === 'order.fulfilled')).toHaveLength(2);
    // Never met, so hinted: the magic value that answers it, or the header.
    expect(response(report, 'createRefill', 422, 'refill_not_eligible').hint).toContain('rx_test_expired');
    expect(response(report, 'getOrder', 500, 'internal_error').hint).toContain('Nimbus-Sandbox-Fault: 500');
  });

  it('shows another key\'s traffic never, and is cleared by a reset but not by other keys\' resets', async () => {
    const { call, coverage, sandbox } = setup();
    const other = sandboxCaller(sandbox, 'sk_test_other');
    expect((await other('POST', '/orders', ORDER)).status).toBe(201);
    expect((await other('GET', '/orders/ord_unknown1')).status).toBe(404);
    expect((await coverage()).summary.seen).toBe(0);
    expect((await call('GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(200);
    expect(met(await coverage()).responses).toEqual([{ operationId: 'getOrder', status: 200, count: 1, replayed: 0 }]);

    expect((await other('POST', '/sandbox/reset')).status).toBe(200);
    expect((await coverage()).summary.seen).toBe(1);
    expect((await coverage('sk_test_other')).summary.seen).toBe(0);
    expect((await call('POST', '/sandbox/reset')).status).toBe(200);
    expect((await coverage()).summary.seen).toBe(0);
  });

  it('starts from nothing after a reset with fixtures, whose records moved on import', async () => {
    const { loadFixtures } = await import('../fixtures/fixtures.ts');
    const fixtures = await loadFixtures(new URL('../../fixtures/demo.json', import.meta.url).pathname);
    const { sandbox, coverage } = setup({ fixtures });
    const demo = sandboxCaller(sandbox, fixtures.apiKey);
    expect((await demo('GET', '/sandbox/orders')).status).toBe(200);
    expect((await coverage(fixtures.apiKey)).summary.seen).toBe(0);
    expect((await demo('POST', '/sandbox/reset')).status).toBe(200);
    expect((await coverage(fixtures.apiKey)).summary.seen).toBe(0);
  });

  it('drops the coverage with the key when the sandbox forgets it', async () => {
    const realClock = new ManualClock(T0);
    const { call, coverage, sandbox } = setup({ maxTenants: 1, tenantIdleMs: 1000, realClock });
    expect((await call('GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(200);
    realClock.advance(2000);
    expect((await sandboxCaller(sandbox, 'sk_test_newcomer')('GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(200);
    realClock.advance(2000);
    expect((await coverage()).summary.seen).toBe(0);
  });

  it('counts faults, and an answer a fault lost counts only as the fault', async () => {
    const { sandbox, call, coverage } = setup();
    expect((await call('GET', `/orders/${TEST_ORDER_ID}`, undefined, { 'Nimbus-Sandbox-Fault': '500' })).status).toBe(500);
    await expect(sandbox.request('/orders', {
      method: 'POST', headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json', 'Nimbus-Sandbox-Fault': 'lost-response' }, body: JSON.stringify(ORDER),
    })).rejects.toThrow(TypeError);
    expect(met(await coverage())).toMatchObject({
      responses: [{ operationId: 'getOrder', status: 500, code: 'internal_error', count: 1, replayed: 0 }],
      statuses: [{ kind: 'order', status: 'pending', count: 1 }],
      faults: [{ kind: '500', count: 1 }, { kind: 'lost-response', count: 1 }],
    });
  });

  it('counts each answering fault under the code FaultKind\'s x-nimbus-codes gives it, which its hint names', async () => {
    const { call, coverage } = setup();
    const codes = Object.entries(spec.components.schemas.FaultKind['x-nimbus-codes']);
    for (const [kind, code] of codes) {
      const reply = await call('GET', `/orders/${TEST_ORDER_ID}`, undefined, { 'Nimbus-Sandbox-Fault': kind });
      expect(reply.body.error.code).toBe(code);
    }
    const report = await coverage();
    for (const [kind, code] of codes) {
      const answer = report.responses.find((entry) => entry.operationId === 'getOrder' && entry.code === code)!;
      expect(answer.count).toBe(1);
      expect(answer.hint).toContain(`Nimbus-Sandbox-Fault: ${kind}`);
    }
  });

  it('counts a rate-limited request as its operation\'s 429, and a poll-marked request of the published API as any other', async () => {
    const { call, coverage } = setup({ rateLimit: { orders: 1 } });
    expect((await call('GET', `/orders/${TEST_ORDER_ID}`, undefined, { 'Nimbus-Sandbox-Dashboard': 'poll' })).status).toBe(200);
    expect((await call('GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(429);
    expect(met(await coverage()).responses).toEqual([
      { operationId: 'getOrder', status: 200, count: 1, replayed: 0 },
      { operationId: 'getOrder', status: 429, code: 'rate_limit_exceeded', count: 1, replayed: 0 },
    ]);
  });

  it('counts every request of concurrent ones, however they interleave', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom('create', 'conflict', 'read', 'missing', 'refill'), { minLength: 1, maxLength: 8 }), async (s, steps) => {
      const store = new ScheduledStore();
      const { call, coverage } = setup({ store });
      const first = await call('POST', '/orders', ORDER, { 'Idempotency-Key': 'base' });
      store.scheduler = s;
      const run = (step: string) => {
        switch (step) {
          case 'create': return call('POST', '/orders', ORDER);
          case 'conflict': return call('POST', '/orders', { ...ORDER, notes: 'x' }, { 'Idempotency-Key': 'base' });
          case 'read': return call('GET', `/orders/${first.body.id}`);
          case 'missing': return call('GET', '/orders/ord_missing1');
          default: return call('POST', '/refills', REFILL);
        }
      };
      await s.waitFor(Promise.all(steps.map(run)));
      store.scheduler = undefined;
      const report = await coverage();
      const tally = (step: string) => steps.filter((name) => name === step).length;
      expect(response(report, 'createOrder', 201).count).toBe(1 + tally('create'));
      expect(response(report, 'createOrder', 409, 'idempotency_key_conflict').count).toBe(tally('conflict'));
      expect(response(report, 'getOrder', 200).count).toBe(tally('read'));
      expect(response(report, 'getOrder', 404, 'not_found').count).toBe(tally('missing'));
      // Concurrent refills of one prescription may refuse each other; each is counted all the same.
      const refills = report.responses.filter((entry) => entry.operationId === 'createRefill').reduce((sum, entry) => sum + entry.count, 0);
      expect(refills).toBe(tally('refill'));
      expect(report.statuses.find((entry) => entry.kind === 'order' && entry.status === 'pending')!.count).toBe(1 + tally('create'));
    }), { numRuns: 30 });
  });
});

/** A store whose reads come back when the fast-check scheduler says, so concurrent requests interleave every way. */
class ScheduledStore extends MemoryStore {
  scheduler: fc.Scheduler | undefined;

  override async getOrder(tenant: string, orderId: string) {
    const record = await super.getOrder(tenant, orderId);
    return this.scheduler === undefined ? record : this.scheduler.schedule(Promise.resolve(record), `read ${orderId}`);
  }

  override async countOrders(tenant: string) {
    const count = await super.countOrders(tenant);
    return this.scheduler === undefined ? count : this.scheduler.schedule(Promise.resolve(count), 'count orders');
  }
}

describe('every possibility GET /sandbox/coverage lists can be met on this sandbox', () => {
  it('reaches 100 %: every answer, status, event, magic value and fault', async () => {
    const hooks = receiver((type, attempt) => (type === 'order.created' && attempt === 1 ? 500 : 204));
    // Limits low enough to reach: the published test order and six created orders; four refills.
    const { sandbox, call, coverage } = setup({ webhookSender: hooks.send, maxOrders: 7, maxRefills: 4, maxBodyBytes: 2048 });
    const schemas = spec.components.schemas;
    expect((await call('POST', '/sandbox/webhook-endpoints', { url: HOOK_URL, events: schemas.WebhookEventType.enum })).status).toBe(201);
    const raw = (method: string, path: string, headers: Record<string, string>, body?: string) => sandbox.request(path, { method, headers: { 'X-API-Key': KEY, ...headers }, ...(body === undefined ? {} : { body }) });
    const json = { 'Content-Type': 'application/json' };

    // Orders: created, replayed, in conflict, cancelled, not cancellable, magic values, the limit.
    const a = await call('POST', '/orders', ORDER, { 'Idempotency-Key': 'a' });
    await call('POST', '/orders', ORDER, { 'Idempotency-Key': 'a' });
    await call('POST', '/orders', { ...ORDER, notes: 'x' }, { 'Idempotency-Key': 'a' });
    const b = await call('POST', '/orders', ORDER);
    await call('DELETE', `/orders/${b.body.id}`);
    const c = await call('POST', '/orders', ORDER);
    await call('POST', `/sandbox/orders/${c.body.id}/advance`, { to: 'shipped' });
    await call('DELETE', `/orders/${c.body.id}`);
    for (const magic of schemas.CreateOrderRequest['x-nimbus-magic-values']) {
      const [head, tail] = magic.field.split('.') as [string, string?];
      await call('POST', '/orders', tail === undefined ? { ...ORDER, [head]: magic.value } : { ...ORDER, shippingAddress: { ...ORDER.shippingAddress, [tail]: magic.value } });
    }
    const inUse = await Promise.all([1, 2].map(() => call('POST', '/orders', ORDER, { 'Idempotency-Key': 'together' })));
    expect(inUse.map((reply) => reply.body.error?.code ?? reply.status).sort(), inUse.map((r) => r.text).join()).toEqual([201, 'idempotency_key_in_use']);
    expect((await call('POST', '/orders', ORDER)).body.error.code).toBe('limit_reached');
    await call('GET', `/orders/${a.body.id}`);
    await call('GET', '/orders/ord_missing1');
    await call('DELETE', '/orders/ord_missing1');

    // Refills: the same, and its own refusals.
    const refill = await call('POST', '/refills', REFILL, { 'Idempotency-Key': 'r' });
    await call('POST', '/refills', REFILL, { 'Idempotency-Key': 'r' });
    await call('POST', '/refills', { ...REFILL, requestedQuantity: 1 }, { 'Idempotency-Key': 'r' });
    for (const magic of schemas.CreateRefillRequest['x-nimbus-magic-values']) {
      await call('POST', '/refills', { ...REFILL, [magic.field]: magic.value });
    }
    const refillsInUse = await Promise.all([1, 2].map(() => call('POST', '/refills', { prescriptionId: 'rx_test_001', patientId: 'pat_test_001' }, { 'Idempotency-Key': 'together-refill' })));
    expect(refillsInUse.map((reply) => reply.body.error?.code ?? reply.status).sort(), refillsInUse.map((r) => r.text).join()).toEqual([201, 'idempotency_key_in_use']);
    expect((await call('POST', '/refills', { prescriptionId: 'rx_test_003', patientId: 'pat_test_001' })).body.error.code).toBe('limit_reached');
    await call('GET', `/refills/${refill.body.id}`);
    await call('GET', '/refills/ref_missing1');

    // The test webhook, and the body refusals every create operation has.
    await call('POST', '/webhooks/test', { eventType: 'order.created' });
    await call('POST', '/webhooks/test', { eventType: 'order.unknown' });
    for (const path of ['/orders', '/refills', '/webhooks/test']) {
      await raw('POST', path, json, '{');
      await raw('POST', path, json, JSON.stringify({ notes: 'x'.repeat(3000) }));
      await raw('POST', path, { 'Content-Type': 'text/plain' }, '{}');
    }

    // Every fault, on every operation it answers.
    const operations: Array<[string, string, unknown?]> = [
      ['POST', '/orders', ORDER], ['GET', `/orders/${a.body.id}`], ['DELETE', `/orders/${a.body.id}`],
      ['POST', '/refills', REFILL], ['GET', `/refills/${refill.body.id}`], ['POST', '/webhooks/test', {}],
    ];
    for (const [method, path, body] of operations) {
      for (const fault of ['429', '500', '503']) await call(method, path, body, { 'Nimbus-Sandbox-Fault': fault });
    }
    await call('GET', `/orders/${a.body.id}`, undefined, { 'Nimbus-Sandbox-Fault': 'latency=5' });
    for (const fault of ['drop', 'lost-response']) {
      await expect(raw('GET', `/orders/${a.body.id}`, { 'Nimbus-Sandbox-Fault': fault })).rejects.toThrow(TypeError);
    }

    // Five days: orders deliver, refills ship, the denied refill is cancelled.
    expect((await call('POST', '/sandbox/clock/advance', { seconds: 5 * DAY_SECONDS })).status).toBe(200);

    const report = await coverage();
    // Nothing answered falls outside the list: each answer the journal holds is a listed possibility.
    const journal = (await call('GET', '/sandbox/requests')).body.data as Array<{ operationId?: string; status: number | null; errorCode?: string }>;
    const counted = new Set(report.responses.map((entry) => entry.operationId));
    const listed = new Set(report.responses.map((entry) => `${entry.operationId} ${entry.status} ${entry.code ?? ''}`));
    const answers = journal.filter((entry) => counted.has(entry.operationId ?? '') && entry.status !== null);
    expect(answers.length).toBeGreaterThan(60);
    expect(answers.map((entry) => `${entry.operationId} ${entry.status} ${entry.errorCode ?? ''}`).filter((answer) => !listed.has(answer))).toEqual([]);
    const unmet = [...report.responses, ...report.statuses, ...report.events, ...report.magicValues, ...report.faults].filter((entry) => entry.count === 0);
    expect(unmet).toEqual([]);
    expect(report.summary.seen).toBe(report.summary.total);
    expect(event(report, 'order.created').retried).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { Order } from '../api-types.ts';
import { isoTime, ManualClock } from '../clock.ts';
import type { StatusChange } from '../domain/records.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import { isValidTrackingNumber } from '../domain/tracking.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { sandboxCaller, type Reply } from '../../test/support/sandbox-caller.ts';

/** A Monday, so the delivery estimate's business days are easy to count. */
const START = Date.parse('2025-02-03T15:00:00Z');
const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;
const TEN_YEARS_S = 315_360_000;
const KEY_A = 'key_a';
const KEY_B = 'key_b';

/** Sandbox time `ms` after START, as the API writes it. */
const at = (ms: number) => isoTime(START + ms);

function sandboxWith(options: SandboxOptions = {}): Sandbox {
  return createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false, ...options });
}


/** One API key's view of a sandbox. */
function client(sandbox: Sandbox, apiKey = KEY_A) {
  const call = sandboxCaller(sandbox, apiKey);
  const placeOrder = (headers: Record<string, string> = {}) => call('POST', '/orders', {
    patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
    shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
  }, headers);
  const expectOk = (reply: Reply, status = 200) => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    return reply.body;
  };
  return {
    call,
    placeOrder,
    createOrder: async (): Promise<Order> => expectOk(await placeOrder(), 201),
    order: async (orderId: string): Promise<Order> => expectOk(await call('GET', `/orders/${orderId}`)),
    history: async (orderId: string): Promise<StatusChange[]> => expectOk(await call('GET', `/sandbox/orders/${orderId}/history`)).history,
    clock: async () => expectOk(await call('GET', '/sandbox/clock')),
    advanceClock: async (ms: number) => expectOk(await call('POST', '/sandbox/clock/advance', { seconds: ms / SECOND })),
    advanceOrder: (orderId: string, body?: unknown) => call('POST', `/sandbox/orders/${orderId}/advance`, body),
    cancel: (orderId: string) => call('DELETE', `/orders/${orderId}`),
  };
}

/** A fresh sandbox, key A's client, and one order key A placed at START. */
async function withOrder(options: SandboxOptions = {}) {
  const sandbox = sandboxWith(options);
  const api = client(sandbox);
  const order = await api.createOrder();
  return { sandbox, api, order };
}

const statuses = (history: StatusChange[]) => history.map((change) => change.status);

describe('the order lifecycle on a virtual clock', () => {
  it('creates an order pending at the clock time', async () => {
    const { order } = await withOrder();
    expect(order).toMatchObject({ status: 'pending', createdAt: at(0), updatedAt: at(0) });
  });

  it('keeps an order pending until a full hour has passed', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(HOUR - SECOND);
    expect((await api.order(order.id)).status).toBe('pending');
  });

  it('moves pending to processing one hour after creation', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(HOUR);
    expect(await api.order(order.id)).toMatchObject({ status: 'processing', updatedAt: at(HOUR) });
  });

  it('keeps a processing order unshipped, with no tracking fields, until 24 h more have passed', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(HOUR);
    await api.advanceClock(DAY - SECOND);
    const read = await api.order(order.id);
    expect(read.status).toBe('processing');
    expect(read).not.toHaveProperty('trackingNumber');
    expect(read).not.toHaveProperty('estimatedDeliveryDate');
  });

  it('ships a processing order 24 h later with a valid tracking number and a delivery estimate', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(HOUR);
    await api.advanceClock(DAY);
    const read = await api.order(order.id);
    expect(read).toMatchObject({ status: 'shipped', updatedAt: at(HOUR + DAY) });
    expect(isValidTrackingNumber(read.trackingNumber!)).toBe(true);
    // Shipped Tuesday 2025-02-04; three business days later is Friday.
    expect(read.estimatedDeliveryDate).toBe('2025-02-07');
  });

  it('dates a change at its due time, not at the time of the advance that applied it', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(2 * DAY);
    expect(await api.order(order.id)).toMatchObject({ status: 'shipped', updatedAt: at(HOUR + DAY) });
  });

  it('delivers a shipped order 72 h later, keeping its tracking number', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(HOUR + DAY);
    const shipped = await api.order(order.id);
    await api.advanceClock(72 * HOUR);
    const delivered = await api.order(order.id);
    expect(delivered).toMatchObject({ status: 'delivered', updatedAt: at(HOUR + DAY + 72 * HOUR) });
    expect([delivered.trackingNumber, delivered.estimatedDeliveryDate]).toEqual([shipped.trackingNumber, shipped.estimatedDeliveryDate]);
  });

  it('applies every step in one advance of five days, with each at its due time in the history', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(5 * DAY);
    expect((await api.history(order.id)).map(({ status, at: time }) => [status, time])).toEqual([
      ['pending', at(0)],
      ['processing', at(HOUR)],
      ['shipped', at(HOUR + DAY)],
      ['delivered', at(HOUR + DAY + 72 * HOUR)],
    ]);
  });

  it('gives every history entry a reason', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(5 * DAY);
    for (const change of await api.history(order.id)) expect(change.reason).toMatch(/\S/);
  });

  it('never moves a delivered order again', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(5 * DAY);
    const delivered = await api.order(order.id);
    await api.advanceClock(365 * DAY);
    expect(await api.order(order.id)).toEqual(delivered);
  });

  it('applies due changes to the store before the clock advance answers, with no read', async () => {
    const store = new MemoryStore();
    const { api, order } = await withOrder({ store });
    await api.advanceClock(5 * DAY);
    expect(statuses((await store.getOrder(KEY_A, order.id))!.history)).toEqual(['pending', 'processing', 'shipped', 'delivered']);
  });

  it('applies changes across orders in due order', async () => {
    const store = new MemoryStore();
    const { api, order: first } = await withOrder({ store });
    await api.advanceClock(30 * 60 * SECOND);
    await api.createOrder();
    const changes: string[] = [];
    const put = store.putOrder.bind(store);
    store.putOrder = async (tenant, record, expectedVersion) => {
      changes.push(`${record.order.id === first.id ? 'first' : 'second'} ${record.history.at(-1)!.status}`);
      return put(tenant, record, expectedVersion);
    };
    await api.advanceClock(5 * DAY);
    expect(changes).toEqual([
      'first processing', 'second processing', 'first shipped', 'second shipped', 'first delivered', 'second delivered',
    ]);
  });
});

describe('GET /sandbox/clock', () => {
  it('reports the start time, virtual mode and scale 1', async () => {
    expect(await client(sandboxWith()).clock()).toEqual({ now: at(0), mode: 'virtual', timeScale: 1 });
  });

  it('stands still in virtual mode while real time passes', async () => {
    const base = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const api = client(sandboxWith({ clock: base }));
    await api.clock();
    base.advance(DAY);
    expect((await api.clock()).now).toBe(at(0));
  });

  it('moves by exactly the seconds advanced and answers the advance with the new clock', async () => {
    const api = client(sandboxWith());
    const answer = await api.advanceClock(90 * SECOND);
    expect(answer).toEqual({ now: at(90 * SECOND), mode: 'virtual', timeScale: 1 });
    expect(await api.clock()).toEqual(answer);
  });

  it('adds successive advances', async () => {
    const api = client(sandboxWith());
    await api.advanceClock(HOUR);
    await api.advanceClock(2 * HOUR);
    expect((await api.clock()).now).toBe(at(3 * HOUR));
  });

  it('defaults to the real time now when no start time is given', async () => {
    const base = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const sandbox = createSandbox({ clockMode: 'virtual', clock: base, sweepIntervalMs: 0, rateLimit: false });
    expect((await client(sandbox).clock()).now).toBe('2030-01-01T00:00:00Z');
  });
});

describe('POST /sandbox/clock/advance validation', () => {
  it.each([
    ['missing seconds', {}],
    ['zero seconds', { seconds: 0 }],
    ['negative seconds', { seconds: -60 }],
    ['seconds as a string', { seconds: '60' }],
    ['more than ten years', { seconds: TEN_YEARS_S + 1 }],
    ['null seconds', { seconds: null }],
  ])('refuses %s with 422 naming seconds', async (_case, body) => {
    const reply = await client(sandboxWith()).call('POST', '/sandbox/clock/advance', body);
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'validation_error', details: { field: 'seconds' } });
  });

  it('refuses an unknown field with 422 naming it', async () => {
    const reply = await client(sandboxWith()).call('POST', '/sandbox/clock/advance', { seconds: 60, minutes: 1 });
    expect([reply.status, reply.body.error.details.field]).toEqual([422, 'minutes']);
  });

  it('accepts exactly ten years', async () => {
    const api = client(sandboxWith());
    await api.advanceClock(TEN_YEARS_S * SECOND);
    expect((await api.clock()).now).toBe(at(TEN_YEARS_S * SECOND));
  });

  it('refuses a body that is not JSON with 400 invalid_request', async () => {
    const reply = await client(sandboxWith()).call('POST', '/sandbox/clock/advance', 'seconds=60');
    expect([reply.status, reply.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('refuses a missing body with 400 invalid_request', async () => {
    const reply = await client(sandboxWith()).call('POST', '/sandbox/clock/advance');
    expect([reply.status, reply.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('leaves the clock where it was after a refused advance', async () => {
    const api = client(sandboxWith());
    await api.call('POST', '/sandbox/clock/advance', { seconds: -3600 });
    expect((await api.clock()).now).toBe(at(0));
  });
});

describe('tenant isolation of clocks', () => {
  it('does not move key B\'s clock when key A advances', async () => {
    const sandbox = sandboxWith();
    await client(sandbox, KEY_B).clock();
    await client(sandbox, KEY_A).advanceClock(DAY);
    expect((await client(sandbox, KEY_B).clock()).now).toBe(at(0));
  });

  it('does not move key B\'s orders when key A advances', async () => {
    const sandbox = sandboxWith();
    const b = client(sandbox, KEY_B);
    const order = await b.createOrder();
    await client(sandbox, KEY_A).advanceClock(5 * DAY);
    await sandbox.sweep();
    expect(await b.order(order.id)).toEqual(order);
  });

  it('moves key A\'s orders when key A advances', async () => {
    const sandbox = sandboxWith();
    const a = client(sandbox, KEY_A);
    const order = await a.createOrder();
    await client(sandbox, KEY_B).advanceClock(5 * DAY);
    await a.advanceClock(HOUR);
    expect((await a.order(order.id)).status).toBe('processing');
  });
});

describe('the published test order', () => {
  it('stays processing, exactly as published, however far the clock moves', async () => {
    const api = client(sandboxWith());
    const published = await api.order(TEST_ORDER_ID);
    await api.advanceClock(TEN_YEARS_S * SECOND);
    expect(await api.order(TEST_ORDER_ID)).toEqual(published);
    expect(published).toMatchObject({ status: 'processing', updatedAt: '2025-01-15T16:30:00Z' });
  });

  it('is not moved by a background sweep either', async () => {
    const store = new MemoryStore();
    const sandbox = sandboxWith({ store });
    const api = client(sandbox);
    await api.advanceClock(TEN_YEARS_S * SECOND);
    await sandbox.sweep();
    expect(statuses((await store.getOrder(KEY_A, TEST_ORDER_ID))!.history)).toEqual(['pending', 'processing']);
  });
});

describe('a start time before the published test data', () => {
  /** Before ord_1234567890 reached processing (16:30): tenant changes would predate it. */
  const DOCUMENTED_START = Date.parse('2025-01-15T15:00:00Z');

  it('refuses a start time before the published test order last changed', () => {
    expect(() => sandboxWith({ startTime: DOCUMENTED_START })).toThrow(/startTime .*2025-01-15T16:30:00Z/);
  });

  it('accepts a start time at the moment the published test order last changed', () => {
    expect(() => sandboxWith({ startTime: Date.parse('2025-01-15T16:30:00Z') })).not.toThrow();
  });
});

describe('POST /sandbox/orders/{orderId}/advance', () => {
  it('with no body moves a pending order to processing at the current clock time', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(10 * 60 * SECOND);
    const reply = await api.advanceOrder(order.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: order.id, status: 'processing', updatedAt: at(10 * 60 * SECOND) });
  });

  it('with an empty object moves to the next status', async () => {
    const { api, order } = await withOrder();
    expect((await api.advanceOrder(order.id, {})).body.status).toBe('processing');
  });

  it('ships a processing order with a valid tracking number and a delivery estimate', async () => {
    const { api, order } = await withOrder();
    await api.advanceOrder(order.id);
    const shipped = (await api.advanceOrder(order.id)).body as Order;
    expect(shipped.status).toBe('shipped');
    expect(isValidTrackingNumber(shipped.trackingNumber!)).toBe(true);
    expect(shipped.estimatedDeliveryDate).toBe('2025-02-06');
  });

  it('takes a pending order to delivered through every step, all at the current time', async () => {
    const { api, order } = await withOrder();
    const reply = await api.advanceOrder(order.id, { to: 'delivered' });
    expect(reply.body).toMatchObject({ status: 'delivered', updatedAt: at(0) });
    expect(isValidTrackingNumber(reply.body.trackingNumber)).toBe(true);
    expect((await api.history(order.id)).map(({ status, at: time }) => [status, time])).toEqual([
      ['pending', at(0)], ['processing', at(0)], ['shipped', at(0)], ['delivered', at(0)],
    ]);
  });

  it('resumes the timeline from the time of the advance', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(10 * 60 * SECOND);
    await api.advanceOrder(order.id);
    await api.advanceClock(DAY - SECOND);
    expect((await api.order(order.id)).status).toBe('processing');
    await api.advanceClock(SECOND);
    expect(await api.order(order.id)).toMatchObject({ status: 'shipped', updatedAt: at(10 * 60 * SECOND + DAY) });
  });

  it('applies what fell due before moving the order on', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(2 * HOUR);
    const reply = await api.advanceOrder(order.id);
    expect(reply.body.status).toBe('shipped');
    expect(statuses(await api.history(order.id))).toEqual(['pending', 'processing', 'shipped']);
  });

  it.each([
    ['its own status', ['processing'], { to: 'processing' }],
    ['a status behind it', ['shipped'], { to: 'processing' }],
    ['the next status of a delivered order', ['delivered'], undefined],
  ] as const)('refuses %s with 409 invalid_state_transition', async (_case, path, body) => {
    const { api, order } = await withOrder();
    await api.advanceOrder(order.id, { to: path[0] });
    const before = await api.history(order.id);
    const reply = await api.advanceOrder(order.id, body);
    expect([reply.status, reply.body.error.code]).toEqual([409, 'invalid_state_transition']);
    expect(await api.history(order.id)).toEqual(before);
  });

  it.each([undefined, { to: 'shipped' }])('refuses to move a cancelled order (body %j) with 409 invalid_state_transition', async (body) => {
    const { api, order } = await withOrder();
    await api.cancel(order.id);
    const reply = await api.advanceOrder(order.id, body);
    expect([reply.status, reply.body.error.code]).toEqual([409, 'invalid_state_transition']);
    expect((await api.order(order.id)).status).toBe('cancelled');
  });

  it.each([{ to: 'cancelled' }, { to: 'pending' }, { to: 'lost' }, { to: 3 }])('refuses %j with 422 naming to', async (body) => {
    const { api, order } = await withOrder();
    const reply = await api.advanceOrder(order.id, body);
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'validation_error', details: { field: 'to' } });
  });

  it('answers 404 for an order the key does not have', async () => {
    const reply = await client(sandboxWith()).advanceOrder('ord_nope');
    expect([reply.status, reply.body.error.code]).toEqual([404, 'not_found']);
  });

  it('answers 404 for another key\'s order', async () => {
    const { sandbox, order } = await withOrder();
    expect((await client(sandbox, KEY_B).advanceOrder(order.id)).status).toBe(404);
  });
});

describe('DELETE /orders/{orderId}', () => {
  it('cancels a pending order at the clock time', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(5 * 60 * SECOND);
    const reply = await api.cancel(order.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: order.id, status: 'cancelled', updatedAt: at(5 * 60 * SECOND) });
  });

  it('cancels a processing order', async () => {
    const { api, order } = await withOrder();
    await api.advanceClock(2 * HOUR);
    const reply = await api.cancel(order.id);
    expect([reply.status, reply.body.status]).toEqual([200, 'cancelled']);
    expect(statuses(await api.history(order.id))).toEqual(['pending', 'processing', 'cancelled']);
  });

  it('records the cancellation and its reason in the history', async () => {
    const { api, order } = await withOrder();
    await api.cancel(order.id);
    expect((await api.history(order.id)).at(-1)).toEqual({
      status: 'cancelled', at: at(0), reason: expect.stringMatching(/cancel/i),
    });
  });

  it('stops the timeline: a cancelled order never moves again', async () => {
    const { api, order } = await withOrder();
    const cancelled = (await api.cancel(order.id)).body;
    await api.advanceClock(30 * DAY);
    expect(await api.order(order.id)).toEqual(cancelled);
  });

  it.each([
    ['shipped', HOUR + DAY],
    ['delivered', 5 * DAY],
  ])('refuses a %s order with 409 order_not_cancellable and leaves it', async (status, wait) => {
    const { api, order } = await withOrder();
    await api.advanceClock(wait);
    const reply = await api.cancel(order.id);
    expect([reply.status, reply.body.error.code]).toEqual([409, 'order_not_cancellable']);
    expect((await api.order(order.id)).status).toBe(status);
  });

  it('answers an already cancelled order with 200 and the order unchanged', async () => {
    const { api, order } = await withOrder();
    const first = (await api.cancel(order.id)).body;
    await api.advanceClock(HOUR);
    const again = await api.cancel(order.id);
    expect([again.status, again.body]).toEqual([200, first]);
    expect(statuses(await api.history(order.id))).toEqual(['pending', 'cancelled']);
  });
});

describe('a custom timeline', () => {
  it('uses the given wait and the default for the rest', async () => {
    const { api, order } = await withOrder({ timeline: { processing: 60 * SECOND } });
    await api.advanceClock(60 * SECOND);
    expect((await api.order(order.id)).status).toBe('processing');
    await api.advanceClock(DAY - SECOND);
    expect((await api.order(order.id)).status).toBe('processing');
    await api.advanceClock(SECOND);
    expect((await api.order(order.id)).status).toBe('shipped');
  });

  it('runs a whole short timeline at its own pace', async () => {
    const { api, order } = await withOrder({ timeline: { processing: SECOND, shipped: 2 * SECOND, delivered: 3 * SECOND } });
    await api.advanceClock(6 * SECOND);
    expect((await api.history(order.id)).map((change) => change.at)).toEqual([at(0), at(SECOND), at(3 * SECOND), at(6 * SECOND)]);
  });
});

describe('real mode', () => {
  const BASE = Date.parse('2030-01-01T00:00:00Z');

  function realSandbox(options: SandboxOptions = {}) {
    const base = new ManualClock(BASE);
    return { base, sandbox: sandboxWith({ clockMode: 'real', clock: base, ...options }) };
  }

  it('reports real mode and the time scale', async () => {
    const { sandbox } = realSandbox({ timeScale: 60 });
    expect(await client(sandbox).clock()).toEqual({ now: at(0), mode: 'real', timeScale: 60 });
  });

  it('runs timeScale times faster than its base clock', async () => {
    const { base, sandbox } = realSandbox({ timeScale: 60 });
    base.advance(90 * SECOND);
    expect((await client(sandbox).clock()).now).toBe(at(90 * 60 * SECOND));
  });

  it('moves an order as its base clock passes, scaled', async () => {
    const { base, sandbox } = realSandbox({ timeScale: 60 });
    const api = client(sandbox);
    const order = await api.createOrder();
    base.advance(60 * SECOND);
    expect(await api.order(order.id)).toMatchObject({ status: 'processing', updatedAt: at(HOUR) });
  });

  it('adds an advance to the running clock', async () => {
    const { base, sandbox } = realSandbox();
    const api = client(sandbox);
    await api.advanceClock(HOUR);
    base.advance(30 * SECOND);
    expect((await api.clock()).now).toBe(at(HOUR + 30 * SECOND));
  });
});

describe('idempotency keys expire after 24 h on the tenant clock', () => {
  const IDEMPOTENCY = { 'Idempotency-Key': 'idem-key-1' };

  async function firstKeyedOrder() {
    const sandbox = sandboxWith();
    const api = client(sandbox);
    const first = await api.placeOrder(IDEMPOTENCY);
    expect(first.status).toBe(201);
    return { sandbox, api, first };
  }

  it('replays the first answer to a retry 23 h later', async () => {
    const { api, first } = await firstKeyedOrder();
    await api.advanceClock(23 * HOUR);
    const retry = await api.placeOrder(IDEMPOTENCY);
    expect([retry.status, retry.headers.get('Idempotent-Replayed'), retry.body]).toEqual([201, 'true', first.body]);
  });

  it('treats a retry 24 h + 1 s later as a new request', async () => {
    const { api, first } = await firstKeyedOrder();
    await api.advanceClock(DAY + SECOND);
    const retry = await api.placeOrder(IDEMPOTENCY);
    expect([retry.status, retry.headers.get('Idempotent-Replayed')]).toEqual([201, null]);
    expect(retry.body.id).not.toBe(first.body.id);
    expect(retry.body.createdAt).toBe(at(DAY + SECOND));
  });

  it('does not expire a key when another tenant\'s clock passes 24 h', async () => {
    const { sandbox, api, first } = await firstKeyedOrder();
    await client(sandbox, KEY_B).advanceClock(25 * HOUR);
    const retry = await api.placeOrder(IDEMPOTENCY);
    expect([retry.headers.get('Idempotent-Replayed'), retry.body.id]).toEqual(['true', first.body.id]);
  });
});

describe('the background sweep', () => {
  const BASE = Date.parse('2030-01-01T00:00:00Z');

  /** Real mode over a manual base, so time passes with no request at all. */
  function sweepingSandbox() {
    const base = new ManualClock(BASE);
    const store = new MemoryStore();
    return { base, store, sandbox: sandboxWith({ clockMode: 'real', clock: base, store }) };
  }

  const storedStatuses = async (store: MemoryStore, tenant: string, orderId: string) => statuses((await store.getOrder(tenant, orderId))!.history);

  it('leaves a due change unapplied in the store until something applies it', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const order = await client(sandbox).createOrder();
    base.advance(HOUR);
    expect(await storedStatuses(store, KEY_A, order.id)).toEqual(['pending']);
  });

  it('applies a due change with no request', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const order = await client(sandbox).createOrder();
    base.advance(HOUR);
    await sandbox.sweep();
    expect((await store.getOrder(KEY_A, order.id))!.history.at(-1)).toMatchObject({ status: 'processing', at: at(HOUR) });
  });

  it('applies every step that fell due, at its due time', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const order = await client(sandbox).createOrder();
    base.advance(5 * DAY);
    await sandbox.sweep();
    expect((await store.getOrder(KEY_A, order.id))!.history.map((change) => change.at))
      .toEqual([at(0), at(HOUR), at(HOUR + DAY), at(HOUR + DAY + 72 * HOUR)]);
  });

  it('applies nothing that is not yet due', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const order = await client(sandbox).createOrder();
    base.advance(HOUR - SECOND);
    await sandbox.sweep();
    expect(await storedStatuses(store, KEY_A, order.id)).toEqual(['pending']);
  });

  it('sweeps every tenant', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const a = await client(sandbox, KEY_A).createOrder();
    const b = await client(sandbox, KEY_B).createOrder();
    base.advance(HOUR);
    await sandbox.sweep();
    expect([await storedStatuses(store, KEY_A, a.id), await storedStatuses(store, KEY_B, b.id)])
      .toEqual([['pending', 'processing'], ['pending', 'processing']]);
  });

  it('leaves nothing for a later read to change', async () => {
    const { base, store, sandbox } = sweepingSandbox();
    const api = client(sandbox);
    const order = await api.createOrder();
    base.advance(5 * DAY);
    await sandbox.sweep();
    const swept = (await store.getOrder(KEY_A, order.id))!.order;
    expect(await api.order(order.id)).toEqual(swept);
  });
});

/** A store whose next read of one order or refill takes its answer, then waits until released to hand it over. */
class GatedStore extends MemoryStore {
  private gate: { id: string; reached: () => void; released: Promise<void> } | undefined;

  /** Resolves `reached` when the gated read has taken its answer; call `release` to let it return. */
  holdNextRead(id: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => { reached = resolve; });
    this.gate = { id, reached, released: new Promise<void>((resolve) => { release = resolve; }) };
    return { reached: reachedPromise, release };
  }

  private async held<T>(id: string, answer: T): Promise<T> {
    const gate = this.gate;
    if (gate !== undefined && gate.id === id) {
      this.gate = undefined;
      gate.reached();
      await gate.released;
    }
    return answer;
  }

  override async getOrder(tenant: string, orderId: string) {
    return this.held(orderId, await super.getOrder(tenant, orderId));
  }

  override async getRefill(tenant: string, refillId: string) {
    return this.held(refillId, await super.getRefill(tenant, refillId));
  }
}

describe('a reset racing with the lifecycle', () => {
  async function orderDueWhileHeld() {
    const store = new GatedStore();
    const clock = new ManualClock(START);
    const sandbox = createSandbox({ store, clock, sweepIntervalMs: 0, rateLimit: false });
    const api = client(sandbox);
    const order = await api.createOrder();
    clock.advance(HOUR);
    return { store, sandbox, api, order };
  }

  it('does not bring back an order the sweep held while the key was reset', async () => {
    const { store, sandbox, api, order } = await orderDueWhileHeld();
    const held = store.holdNextRead(order.id);
    const sweeping = sandbox.sweep();
    await held.reached;
    expect((await api.call('POST', '/sandbox/reset')).status).toBe(200);
    held.release();
    await sweeping;
    expect((await api.call('GET', `/orders/${order.id}`)).status).toBe(404);
  });

  it('answers 404 to a read of an order reset away while the read was under way', async () => {
    const { store, api, order } = await orderDueWhileHeld();
    const held = store.holdNextRead(order.id);
    const reading = api.call('GET', `/orders/${order.id}`);
    await held.reached;
    expect((await api.call('POST', '/sandbox/reset')).status).toBe(200);
    held.release();
    expect({ read: (await reading).status, after: (await api.call('GET', `/orders/${order.id}`)).status }).toEqual({ read: 404, after: 404 });
  });

  it('does not bring back a refill the sweep held while the key was reset', async () => {
    const store = new GatedStore();
    const clock = new ManualClock(START);
    const sandbox = createSandbox({ store, clock, sweepIntervalMs: 0, rateLimit: false });
    const api = client(sandbox);
    const created = await api.call('POST', '/refills', { prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const refillId = (created.body as { id: string }).id;
    clock.advance(10 * DAY);
    const held = store.holdNextRead(refillId);
    const sweeping = sandbox.sweep();
    await held.reached;
    expect((await api.call('POST', '/sandbox/reset')).status).toBe(200);
    held.release();
    await sweeping;
    expect((await api.call('GET', `/refills/${refillId}`)).status).toBe(404);
  });
});

describe('the clock\'s end', () => {
  it('refuses an advance past 9999-12-31T23:59:59Z with 422 naming seconds, and the clock stays', async () => {
    const sandbox = createSandbox({ clockMode: 'virtual', startTime: Date.parse('9999-12-01T00:00:00Z'), sweepIntervalMs: 0, rateLimit: false });
    const headers = { 'X-API-Key': 'key_end_of_time', 'Content-Type': 'application/json' };
    const advance = (seconds: number) => sandbox.request('/sandbox/clock/advance', { method: 'POST', headers, body: JSON.stringify({ seconds }) });
    const refused = await advance(31 * 86_400);
    expect([refused.status, (await refused.json() as { error: { details: { field: string } } }).error.details.field]).toEqual([422, 'seconds']);
    const upToTheEnd = await advance(31 * 86_400 - 1);
    expect([upToTheEnd.status, (await upToTheEnd.json() as { now: string }).now]).toEqual([200, '9999-12-31T23:59:59Z']);
    expect((await advance(1)).status).toBe(422);
    sandbox.close();
  });
});

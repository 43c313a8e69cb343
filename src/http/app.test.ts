import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order, OrderStatus } from '../api-types.ts';
import { isoTime, ManualClock } from '../clock.ts';
import type { OrderRecord } from '../domain/records.ts';
import { TEST_ORDER_ID, testDataOrders } from '../domain/test-data.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { TenantSeed } from '../store/store.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';

const T0 = Date.parse('2025-06-02T12:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;
const KEY = 'sk_test_alice';
const OTHER_KEY = 'sk_test_bob';

/** The Orders guide's create body. */
const GUIDE_BODY = {
  patientId: 'pat_1234567890',
  prescriptionId: 'rx_9876543210',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
  notes: 'Please leave at front door',
};

/** The test order every tenant starts with, exactly as published. */
const PUBLISHED_TEST_ORDER: Order = {
  id: 'ord_1234567890',
  patientId: 'pat_1234567890',
  prescriptionId: 'rx_9876543210',
  status: 'processing',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
  createdAt: '2025-01-15T15:00:00Z',
  updatedAt: '2025-01-15T16:30:00Z',
};

// ---------------------------------------------------------------------------------------------
// A fresh sandbox per test, on manual clocks, with no background sweep; any 500 fails the test.

interface Setup {
  sandbox: Sandbox;
  clock: ManualClock;
  realClock: ManualClock;
  store: MemoryStore;
}

let opened: Sandbox[] = [];
let unexpected: unknown[] = [];
let t: Setup;

function setup(options: SandboxOptions = {}): Setup {
  const clock = new ManualClock(T0);
  const realClock = new ManualClock(T0);
  const store = options.store instanceof MemoryStore ? options.store : new MemoryStore();
  const sandbox = createSandbox({
    clock, realClock, store, sweepIntervalMs: 0, onUnexpectedError: (error) => unexpected.push(error), ...options,
  });
  opened.push(sandbox);
  return { sandbox, clock, realClock, store };
}

beforeEach(() => {
  t = setup();
});

afterEach(() => {
  for (const sandbox of opened) sandbox.close();
  opened = [];
  const failures = unexpected;
  unexpected = [];
  expect(failures).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Requests

interface Call {
  method?: string;
  /** X-API-Key; null sends none. */
  key?: string | null;
  idempotencyKey?: string;
  /** Sent as JSON unless it is already a string or bytes. */
  body?: unknown;
  /** Content-Type; null sends none. Default application/json when there is a body. */
  contentType?: string | null;
  sandbox?: Sandbox;
}

function call(path: string, c: Call = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = c.key === undefined ? KEY : c.key;
  if (key !== null) headers['X-API-Key'] = key;
  if (c.idempotencyKey !== undefined) headers['Idempotency-Key'] = c.idempotencyKey;
  let body: BodyInit | undefined;
  if (c.body !== undefined) {
    body = typeof c.body === 'string' ? c.body : c.body instanceof Uint8Array ? Buffer.from(c.body) : JSON.stringify(c.body);
    const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
    if (contentType !== null) headers['Content-Type'] = contentType;
  }
  return (c.sandbox ?? t.sandbox).request(path, { method: c.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
}

function postOrder(c: Call = {}): Promise<Response> {
  return call('/orders', { body: GUIDE_BODY, ...c, method: 'POST' });
}

async function createdOrder(c: Call = {}): Promise<Order> {
  const res = await postOrder(c);
  expect(res.status).toBe(201);
  return (await res.json()) as Order;
}

/** GUIDE_BODY with some fields replaced; `shippingAddress` fields merge into the guide's. */
function orderBody(changes: Record<string, unknown> = {}, address: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...GUIDE_BODY, ...changes, shippingAddress: { ...GUIDE_BODY.shippingAddress, ...address } };
}

async function listOrders(query = '', c: Call = {}): Promise<{ data: Order[]; hasMore: boolean; nextCursor: string | null }> {
  const res = await call(`/sandbox/orders${query}`, c);
  expect(res.status).toBe(200);
  return res.json();
}

async function orderCount(c: Call = {}): Promise<number> {
  return (await listOrders('?limit=100', c)).data.length;
}

interface ErrorEnvelope {
  code: string;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}

/** Asserts the error envelope, its status and code, and that requestId is this answer's X-Request-Id. */
async function expectError(res: Response, status: number, code: string, details?: Record<string, unknown>): Promise<ErrorEnvelope> {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status, contentType: 'application/json' });
  const body = (await res.json()) as { error: ErrorEnvelope };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).filter((name) => !['code', 'message', 'requestId', 'details'].includes(name))).toEqual([]);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.requestId).toMatch(/^req_[A-Za-z0-9]+$/);
  expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  if (details !== undefined) expect(body.error.details).toMatchObject(details);
  return body.error;
}

/** What a key holds when new, as if an earlier process had made it: the published test data. */
const testDataSeed = (): TenantSeed => ({ settings: { defaultSecret: 'whsec_seeded_by_the_test', clockAdvancedMs: 0 }, orders: testDataOrders(), endpoints: [] });

/** Stores an order directly, for statuses the API cannot reach at once. */
async function seedOrder(status: OrderStatus, setup: Setup = t): Promise<string> {
  const at = isoTime(setup.clock.now());
  const record: OrderRecord = {
    order: { ...PUBLISHED_TEST_ORDER, id: `ord_seeded_${status}`, status, createdAt: at, updatedAt: at },
    history: [{ status, at, reason: 'Seeded by the test' }],
    version: 1,
  };
  await setup.store.ensureTenant(KEY, testDataSeed);
  expect(await setup.store.putOrder(KEY, record, 0)).toBe(true);
  return record.order.id;
}

/** Makes `count` orders requests (reads of the test order). */
async function spendOrdersRequests(count: number, c: Call = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await call(`/orders/${TEST_ORDER_ID}`, c);
    expect(res.status).toBe(200);
  }
}

// ---------------------------------------------------------------------------------------------

describe('POST /orders', () => {
  it('returns 201 with a pending order built from the request', async () => {
    const res = await postOrder();
    expect(res.status).toBe(201);
    const order = await res.json();
    expect(order).toEqual({
      id: expect.stringMatching(/^ord_[A-Za-z0-9_]+$/),
      patientId: GUIDE_BODY.patientId,
      prescriptionId: GUIDE_BODY.prescriptionId,
      status: 'pending',
      shippingAddress: GUIDE_BODY.shippingAddress,
      createdAt: isoTime(T0),
      updatedAt: isoTime(T0),
    });
  });

  it('sets Location to the new order\'s path', async () => {
    const res = await postOrder();
    const order = await res.json();
    expect(res.headers.get('location')).toBe(`/orders/${order.id}`);
  });

  it('sets an X-Request-Id', async () => {
    const res = await postOrder();
    expect(res.headers.get('x-request-id')).toMatch(/^req_[A-Za-z0-9]+$/);
  });

  it('gives every answer its own X-Request-Id', async () => {
    const first = await postOrder();
    const second = await postOrder();
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('sets the X-RateLimit headers of the orders group', async () => {
    const res = await postOrder();
    expect({
      limit: res.headers.get('x-ratelimit-limit'),
      remaining: res.headers.get('x-ratelimit-remaining'),
      reset: res.headers.get('x-ratelimit-reset'),
    }).toEqual({ limit: '100', remaining: '99', reset: String((T0 + 60 * SECOND) / 1000) });
  });

  it('does not echo notes', async () => {
    const order = await createdOrder();
    expect(order).not.toHaveProperty('notes');
  });

  it('defaults a missing country to US', async () => {
    const { country: _omitted, ...address } = GUIDE_BODY.shippingAddress;
    const order = await createdOrder({ body: { ...GUIDE_BODY, shippingAddress: address } });
    expect(order.shippingAddress.country).toBe('US');
  });

  it('keeps street2 when given', async () => {
    const order = await createdOrder({ body: orderBody({}, { street2: 'Apt 4B' }) });
    expect(order.shippingAddress.street2).toBe('Apt 4B');
  });

  it('accepts a ZIP+4 code', async () => {
    const order = await createdOrder({ body: orderBody({}, { zip: '78701-1234' }) });
    expect(order.shippingAddress.zip).toBe('78701-1234');
  });

  it('accepts notes of 1000 characters', async () => {
    const res = await postOrder({ body: orderBody({ notes: 'n'.repeat(1000) }) });
    expect(res.status).toBe(201);
  });

  it('accepts application/json with a charset', async () => {
    const res = await postOrder({ contentType: 'application/json; charset=utf-8' });
    expect(res.status).toBe(201);
  });

  it('creates a new order for each request without an Idempotency-Key', async () => {
    const first = await createdOrder();
    const second = await createdOrder();
    expect(first.id).not.toBe(second.id);
    expect(await orderCount()).toBe(3);
  });
});

describe('GET /orders/{orderId}', () => {
  it('returns the published test order, processing, to a new key', async () => {
    const res = await call(`/orders/${TEST_ORDER_ID}`, { key: 'sk_brand_new' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(PUBLISHED_TEST_ORDER);
  });

  it('returns an order created with the same key', async () => {
    const order = await createdOrder();
    const res = await call(`/orders/${order.id}`);
    expect(await res.json()).toEqual(order);
  });

  it('returns 404 for an order of another key', async () => {
    const order = await createdOrder();
    await expectError(await call(`/orders/${order.id}`, { key: OTHER_KEY }), 404, 'not_found');
  });

  it('returns 404 for a well-formed id that does not exist', async () => {
    await expectError(await call('/orders/ord_doesnotexist'), 404, 'not_found', { field: 'orderId' });
  });

  it.each([
    ['no prefix', 'abc123'],
    ['an empty suffix', 'ord_'],
    ['a hyphen', 'ord_abc-123'],
    ['another prefix', 'rx_9876543210'],
    ['65 characters', `ord_${'a'.repeat(61)}`],
    ['an encoded NUL', 'ord_%00'],
    ['malformed percent-encoding', 'ord_%E0%A4%A'],
  ])('returns 404 for an order id with %s', async (_name, id) => {
    await expectError(await call(`/orders/${id}`), 404, 'not_found');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await call(`/orders/${TEST_ORDER_ID}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.text()).toBe('');
  });
});

describe('authentication', () => {
  it('returns 401 without an X-API-Key', async () => {
    await expectError(await postOrder({ key: null }), 401, 'unauthorized', { field: 'X-API-Key' });
  });

  it('returns 401 for an empty X-API-Key', async () => {
    await expectError(await call(`/orders/${TEST_ORDER_ID}`, { key: '' }), 401, 'unauthorized');
  });

  it('uses the published message for 401', async () => {
    const error = await expectError(await call(`/orders/${TEST_ORDER_ID}`, { key: null }), 401, 'unauthorized');
    expect(error.message).toBe('Invalid or missing API key');
  });

  it('returns 401 for a key outside the apiKeys list', async () => {
    const { sandbox } = setup({ apiKeys: ['sk_allowed'] });
    await expectError(await call(`/orders/${TEST_ORDER_ID}`, { sandbox, key: KEY }), 401, 'unauthorized');
  });

  it('accepts a key on the apiKeys list', async () => {
    const { sandbox } = setup({ apiKeys: ['sk_allowed'] });
    const res = await call(`/orders/${TEST_ORDER_ID}`, { sandbox, key: 'sk_allowed' });
    expect(res.status).toBe(200);
  });
});

describe('idempotency', () => {
  it('replays the first answer byte for byte', async () => {
    const first = await postOrder({ idempotencyKey: 'order-1' });
    const replay = await postOrder({ idempotencyKey: 'order-1' });
    expect(replay.status).toBe(201);
    expect(await replay.text()).toBe(await first.text());
  });

  it('marks only the replay with Idempotent-Replayed: true', async () => {
    const first = await postOrder({ idempotencyKey: 'order-1' });
    const replay = await postOrder({ idempotencyKey: 'order-1' });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('names the first request in Original-Request-Id and gives the replay a new X-Request-Id', async () => {
    const first = await postOrder({ idempotencyKey: 'order-1' });
    const replay = await postOrder({ idempotencyKey: 'order-1' });
    expect(replay.headers.get('original-request-id')).toBe(first.headers.get('x-request-id'));
    expect(replay.headers.get('x-request-id')).toMatch(/^req_/);
    expect(replay.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  it('replays the Location header', async () => {
    const first = await postOrder({ idempotencyKey: 'order-1' });
    const replay = await postOrder({ idempotencyKey: 'order-1' });
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('creates no second order on replay', async () => {
    await postOrder({ idempotencyKey: 'order-1' });
    await postOrder({ idempotencyKey: 'order-1' });
    expect(await orderCount()).toBe(2);
  });

  it('replays a body whose keys come in another order', async () => {
    await postOrder({ idempotencyKey: 'order-1' });
    const reordered = { shippingAddress: { country: 'US', zip: '78701', state: 'TX', city: 'Austin', street1: '123 Main St' }, notes: GUIDE_BODY.notes, prescriptionId: GUIDE_BODY.prescriptionId, patientId: GUIDE_BODY.patientId };
    const replay = await postOrder({ idempotencyKey: 'order-1', body: reordered });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('returns 409 idempotency_key_conflict for the same key with another body', async () => {
    await postOrder({ idempotencyKey: 'order-1' });
    const res = await postOrder({ idempotencyKey: 'order-1', body: orderBody({ notes: 'different' }) });
    const error = await expectError(res, 409, 'idempotency_key_conflict');
    expect(error.message).toBe('An order with this idempotency key already exists');
  });

  it('keeps the original answer after a conflict', async () => {
    const first = await postOrder({ idempotencyKey: 'order-1' });
    await postOrder({ idempotencyKey: 'order-1', body: orderBody({ notes: 'different' }) });
    const replay = await postOrder({ idempotencyKey: 'order-1' });
    expect(await replay.text()).toBe(await first.text());
  });

  it.each([
    ['a 422', { body: orderBody({}, { zip: 'bad' }) }],
    ['a 400', { body: '{not json' }],
    ['a 415', { contentType: 'text/plain' }],
  ] as const)('does not consume the key on %s', async (_name, refused) => {
    await postOrder({ idempotencyKey: 'order-1', ...refused });
    const res = await postOrder({ idempotencyKey: 'order-1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not consume the key on a 429', async () => {
    const s = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox: s.sandbox });
    await expectError(await postOrder({ sandbox: s.sandbox, idempotencyKey: 'order-1' }), 429, 'rate_limit_exceeded');
    s.realClock.advance(60 * SECOND);
    const res = await postOrder({ sandbox: s.sandbox, idempotencyKey: 'order-1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps the same key of another tenant independent', async () => {
    const mine = await createdOrder({ idempotencyKey: 'order-1' });
    const res = await postOrder({ key: OTHER_KEY, idempotencyKey: 'order-1', body: orderBody({ notes: 'different' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect((await res.json()).id).not.toBe(mine.id);
  });

  it('accepts a key of 255 visible ASCII characters', async () => {
    const res = await postOrder({ idempotencyKey: '!'.repeat(200) + '~'.repeat(55) });
    expect(res.status).toBe(201);
  });

  it.each([
    ['empty', ''],
    ['over 255 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé-1'],
    ['with a space', 'order 1'],
  ])('returns 400 naming the header for an Idempotency-Key %s', async (_name, idempotencyKey) => {
    await expectError(await postOrder({ idempotencyKey }), 400, 'invalid_request', { field: 'Idempotency-Key' });
  });

  it('returns 400 without an Idempotency-Key when requireIdempotencyKey is set', async () => {
    const { sandbox } = setup({ requireIdempotencyKey: true });
    await expectError(await postOrder({ sandbox }), 400, 'invalid_request', { field: 'Idempotency-Key', reason: 'Required' });
  });

  it('creates the order with an Idempotency-Key when requireIdempotencyKey is set', async () => {
    const { sandbox } = setup({ requireIdempotencyKey: true });
    expect((await postOrder({ sandbox, idempotencyKey: 'order-1' })).status).toBe(201);
  });

  it('still replays just before 24 hours on the sandbox clock', async () => {
    await postOrder({ idempotencyKey: 'order-1' });
    t.clock.advance(24 * HOUR - SECOND);
    const res = await postOrder({ idempotencyKey: 'order-1' });
    expect(res.headers.get('idempotent-replayed')).toBe('true');
  });

  it('treats a key older than 24 hours on the sandbox clock as new', async () => {
    const first = await createdOrder({ idempotencyKey: 'order-1' });
    t.clock.advance(24 * HOUR + SECOND);
    const res = await postOrder({ idempotencyKey: 'order-1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect((await res.json()).id).not.toBe(first.id);
  });

  it('releases the key when the store fails, so a retry creates the order', async () => {
    class FailOnceStore extends MemoryStore {
      failures = 1;
      override async putOrder(tenant: string, record: OrderRecord, expectedVersion: number): Promise<boolean> {
        if (this.failures-- > 0) throw new Error('disk full');
        return super.putOrder(tenant, record, expectedVersion);
      }
    }
    const reported: unknown[] = [];
    const { sandbox } = setup({ store: new FailOnceStore(), onUnexpectedError: (error) => reported.push(error) });
    await expectError(await postOrder({ sandbox, idempotencyKey: 'order-1' }), 500, 'internal_error');
    const retry = await postOrder({ sandbox, idempotencyKey: 'order-1' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(reported).toHaveLength(1);
  });

  describe('with 50 identical requests in parallel', () => {
    /** Yields once to the event loop in putOrder, so the requests really overlap. */
    class SlowSaveStore extends MemoryStore {
      override async putOrder(tenant: string, record: OrderRecord, expectedVersion: number): Promise<boolean> {
        await new Promise((resolve) => setImmediate(resolve));
        return super.putOrder(tenant, record, expectedVersion);
      }
    }

    let answers: Array<{ status: number; text: string; headers: Headers }>;
    let sandbox: Sandbox;

    beforeEach(async () => {
      ({ sandbox } = setup({ store: new SlowSaveStore() }));
      const responses = await Promise.all(Array.from({ length: 50 }, () => postOrder({ sandbox, idempotencyKey: 'order-1' })));
      answers = await Promise.all(responses.map(async (res) => ({ status: res.status, text: await res.text(), headers: res.headers })));
    });

    const firsts = () => answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    const inUse = () => answers.filter((a) => a.status === 409);

    it('creates exactly one order', async () => {
      expect(firsts()).toHaveLength(1);
      expect(await orderCount({ sandbox })).toBe(2);
    });

    it('answers every other request with a byte-identical replay or 409 idempotency_key_in_use', () => {
      const original = firsts()[0]!.text;
      const others = answers.filter((a) => a !== firsts()[0]);
      const replays = others.filter((a) => a.status === 201);
      expect(replays.every((a) => a.text === original && a.headers.get('idempotent-replayed') === 'true')).toBe(true);
      expect(inUse().every((a) => JSON.parse(a.text).error.code === 'idempotency_key_in_use')).toBe(true);
      expect(replays.length + inUse().length).toBe(49);
    });

    it('really overlaps: some requests find the key in use, with Retry-After: 1', () => {
      expect(inUse().length).toBeGreaterThan(0);
      expect(inUse().every((a) => a.headers.get('retry-after') === '1')).toBe(true);
    });

    it('replays the one order once the work has finished', async () => {
      const res = await postOrder({ sandbox, idempotencyKey: 'order-1' });
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(await res.text()).toBe(firsts()[0]!.text);
    });
  });
});

describe('DELETE /orders/{orderId}', () => {
  it('cancels a pending order with 200', async () => {
    const order = await createdOrder();
    t.clock.advance(60 * SECOND);
    const res = await call(`/orders/${order.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: order.id, status: 'cancelled', updatedAt: isoTime(T0 + 60 * SECOND) });
  });

  it('keeps the cancellation for later reads', async () => {
    const order = await createdOrder();
    await call(`/orders/${order.id}`, { method: 'DELETE' });
    expect((await (await call(`/orders/${order.id}`)).json()).status).toBe('cancelled');
  });

  it('cancels a processing order with 200', async () => {
    const id = await seedOrder('processing');
    const res = await call(`/orders/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('cancelled');
  });

  it('answers 200 with the order unchanged when it is already cancelled', async () => {
    const order = await createdOrder();
    const cancelled = await (await call(`/orders/${order.id}`, { method: 'DELETE' })).text();
    t.clock.advance(60 * SECOND);
    const again = await call(`/orders/${order.id}`, { method: 'DELETE' });
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(cancelled);
  });

  it('returns 409 order_not_cancellable when cancelling a shipped order', async () => {
    const id = await seedOrder('shipped');
    await expectError(await call(`/orders/${id}`, { method: 'DELETE' }), 409, 'order_not_cancellable');
  });

  it('returns 409 order_not_cancellable when cancelling a delivered order', async () => {
    const id = await seedOrder('delivered');
    await expectError(await call(`/orders/${id}`, { method: 'DELETE' }), 409, 'order_not_cancellable');
  });

  it('leaves a shipped order shipped after the refusal', async () => {
    const id = await seedOrder('shipped');
    await call(`/orders/${id}`, { method: 'DELETE' });
    expect((await (await call(`/orders/${id}`)).json()).status).toBe('shipped');
  });

  it('returns 404 when cancelling another key\'s order', async () => {
    const order = await createdOrder();
    await expectError(await call(`/orders/${order.id}`, { method: 'DELETE', key: OTHER_KEY }), 404, 'not_found');
  });
});

describe('hostile request bodies', () => {
  it('returns 400 for malformed JSON', async () => {
    await expectError(await postOrder({ body: '{"patientId": "pat_1",' }), 400, 'invalid_request', { field: 'body' });
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"str"'],
    ['a number', '42'],
  ])('returns 400 for a body that is %s', async (_name, body) => {
    await expectError(await postOrder({ body }), 400, 'invalid_request', { field: 'body' });
  });

  it('returns 400 for an empty body', async () => {
    await expectError(await postOrder({ body: '' }), 400, 'invalid_request', { field: 'body' });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    'returns 415 for Content-Type %s',
    async (contentType) => {
      await expectError(await postOrder({ contentType }), 415, 'unsupported_media_type', { field: 'Content-Type' });
    },
  );

  it('returns 413 for a 2 MiB body', async () => {
    await expectError(await postOrder({ body: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large');
  });

  it('returns 400 for an array nested 500 000 deep', async () => {
    const body = '['.repeat(500_000) + ']'.repeat(500_000);
    await expectError(await postOrder({ body }), 400, 'invalid_request', { field: 'body' });
  });

  it('returns 400 naming the body for an array nested 500 000 deep inside a field', async () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const body = `{"patientId":"pat_1","prescriptionId":"rx_1","shippingAddress":${deep}}`;
    await expectError(await postOrder({ body }), 400, 'invalid_request', { field: 'body', reason: 'At most 32 levels of objects and arrays' });
  });

  it('refuses nesting one level past 32 with 400, and reads brackets inside strings as text', async () => {
    const nested = (levels: number) => `{"patientId":"pat_1","prescriptionId":"rx_1","shippingAddress":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    await expectError(await postOrder({ body: nested(33) }), 400, 'invalid_request', { field: 'body' });
    await expectError(await postOrder({ body: nested(32) }), 422, 'validation_error', { field: 'shippingAddress' });
    const inString = orderBody({ notes: `${'['.repeat(500)}\\"{{{` });
    expect((await postOrder({ body: inString })).status).toBe(201);
  });

  it('returns 400 for a body that is not UTF-8', async () => {
    const body = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    await expectError(await postOrder({ body }), 400, 'invalid_request', { field: 'body' });
  });

  it.each([
    ['patientId', orderBody({ patientId: 1234567890 })],
    ['prescriptionId', orderBody({ prescriptionId: null })],
    ['shippingAddress', { ...GUIDE_BODY, shippingAddress: '123 Main St, Austin TX' }],
    ['shippingAddress', { ...GUIDE_BODY, shippingAddress: [GUIDE_BODY.shippingAddress] }],
    ['shippingAddress.zip', orderBody({}, { zip: 78701 })],
    ['shippingAddress.street2', orderBody({}, { street2: 4 })],
    ['notes', orderBody({ notes: ['a'] })],
  ])('returns 422 naming %s when it has the wrong type', async (field, body) => {
    await expectError(await postOrder({ body }), 422, 'validation_error', { field });
  });

  it.each([
    ['patientId', orderBody({ patientId: '' })],
    ['prescriptionId', orderBody({ prescriptionId: '' })],
    ['shippingAddress.street1', orderBody({}, { street1: '' })],
    ['shippingAddress.city', orderBody({}, { city: '' })],
    ['shippingAddress.state', orderBody({}, { state: '' })],
    ['shippingAddress.zip', orderBody({}, { zip: '' })],
  ])('returns 422 naming %s when it is an empty string', async (field, body) => {
    await expectError(await postOrder({ body }), 422, 'validation_error', { field });
  });

  it.each([
    ['patientId', 'patientId'],
    ['shippingAddress', 'shippingAddress'],
    ['shippingAddress.city', 'city'],
  ])('returns 422 naming %s when it is missing', async (field, name) => {
    const body = structuredClone(GUIDE_BODY) as Record<string, unknown>;
    const holder = field.startsWith('shippingAddress.') ? body.shippingAddress as Record<string, unknown> : body;
    delete holder[name];
    await expectError(await postOrder({ body }), 422, 'validation_error', { field, reason: 'Required' });
  });

  it.each([
    ['shippingAddress.street1', orderBody({}, { street1: 's'.repeat(201) }), 200],
    ['shippingAddress.street2', orderBody({}, { street2: 's'.repeat(201) }), 200],
    ['shippingAddress.city', orderBody({}, { city: 'c'.repeat(101) }), 100],
    ['shippingAddress.street1', orderBody({}, { street1: 's'.repeat(1_000_000) }), 200],
  ])('returns 422 naming %s when it is longer than its limit', async (field, body, limit) => {
    await expectError(await postOrder({ body }), 422, 'validation_error', { field, reason: `Must be at most ${limit} characters` });
  });

  it('accepts address lines and a city at their limits', async () => {
    const response = await postOrder({ body: orderBody({}, { street1: 's'.repeat(200), street2: 's'.repeat(200), city: 'c'.repeat(100) }) });
    expect(response.status).toBe(201);
  });

  it('returns 422 naming notes when they are 1001 characters', async () => {
    await expectError(await postOrder({ body: orderBody({ notes: 'n'.repeat(1001) }) }), 422, 'validation_error', { field: 'notes' });
  });

  it('returns 422 naming an unknown top-level field', async () => {
    await expectError(await postOrder({ body: orderBody({ priority: 'high' }) }), 422, 'validation_error', { field: 'priority', reason: 'Unknown field' });
  });

  it('returns 422 naming an unknown nested field by its dotted path', async () => {
    await expectError(await postOrder({ body: orderBody({}, { street3: 'x' }) }), 422, 'validation_error', { field: 'shippingAddress.street3', reason: 'Unknown field' });
  });

  it.each(['7870', '787011', '78701-12', 'ABCDE', '78701 1234'])('returns 422 "Invalid ZIP code format" for ZIP %s', async (zip) => {
    await expectError(await postOrder({ body: orderBody({}, { zip }) }), 422, 'validation_error', {
      field: 'shippingAddress.zip', reason: 'Invalid ZIP code format',
    });
  });

  it('returns 422 naming shippingAddress.state for a lowercase state', async () => {
    await expectError(await postOrder({ body: orderBody({}, { state: 'tx' }) }), 422, 'validation_error', { field: 'shippingAddress.state' });
  });

  it('returns 422 naming shippingAddress.country for a lowercase country', async () => {
    await expectError(await postOrder({ body: orderBody({}, { country: 'us' }) }), 422, 'validation_error', { field: 'shippingAddress.country' });
  });

  it('returns 422 naming patientId for an id with another prefix', async () => {
    await expectError(await postOrder({ body: orderBody({ patientId: 'rx_1234567890' }) }), 422, 'validation_error', { field: 'patientId' });
  });

  it('returns 422 naming a top-level __proto__ key as unknown', async () => {
    const body = JSON.stringify(GUIDE_BODY).replace(/^\{/, '{"__proto__":{"polluted":true},');
    await expectError(await postOrder({ body }), 422, 'validation_error', { field: '__proto__', reason: 'Unknown field' });
  });

  it('returns 422 naming a nested __proto__ key by its dotted path', async () => {
    const body = JSON.stringify(GUIDE_BODY).replace('"shippingAddress":{', '"shippingAddress":{"__proto__":{"polluted":true},');
    await expectError(await postOrder({ body }), 422, 'validation_error', { field: 'shippingAddress.__proto__' });
  });

  it('does not pollute Object.prototype through a __proto__ key', async () => {
    const body = JSON.stringify(GUIDE_BODY).replace(/^\{/, '{"__proto__":{"polluted":true},');
    await postOrder({ body });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('routing', () => {
  it('returns 404 not_found for an unknown route', async () => {
    await expectError(await call('/patients'), 404, 'not_found', { field: 'path' });
  });

  it('returns 405 with Allow: POST for GET /orders', async () => {
    const res = await call('/orders');
    expect(res.headers.get('allow')).toBe('POST');
    await expectError(res, 405, 'method_not_allowed');
  });

  it('returns 405 with Allow naming GET, DELETE and HEAD for PUT on an order', async () => {
    const res = await call(`/orders/${TEST_ORDER_ID}`, { method: 'PUT', body: GUIDE_BODY });
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    await expectError(res, 405, 'method_not_allowed');
  });

  it('returns 405 for POST /sandbox/orders', async () => {
    await expectError(await call('/sandbox/orders', { method: 'POST', body: {} }), 405, 'method_not_allowed');
  });

  it('returns 401 before 404 for an unknown route without an X-API-Key', async () => {
    await expectError(await call('/patients', { key: null }), 401, 'unauthorized');
  });

  it('returns 401 before 405 for a wrong method without an X-API-Key', async () => {
    await expectError(await call('/orders', { key: null }), 401, 'unauthorized');
  });

  it('counts a 405 on the published API against the rate limit and sends its headers', async () => {
    const res = await call('/orders');
    expect({ status: res.status, remaining: res.headers.get('x-ratelimit-remaining') }).toEqual({ status: 405, remaining: '99' });
  });
});

describe('rate limits', () => {
  it('returns 429 with Retry-After and details.retryAfter on the 101st orders request in a minute', async () => {
    await spendOrdersRequests(100);
    t.realClock.advance(15 * SECOND);
    const res = await call(`/orders/${TEST_ORDER_ID}`);
    expect(res.headers.get('retry-after')).toBe('45');
    await expectError(res, 429, 'rate_limit_exceeded', { retryAfter: 45 });
  });

  it('counts down X-RateLimit-Remaining', async () => {
    await spendOrdersRequests(2);
    const res = await call(`/orders/${TEST_ORDER_ID}`);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('97');
  });

  it('sends X-RateLimit-Remaining 0 on a 429', async () => {
    const { sandbox } = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox });
    expect((await call(`/orders/${TEST_ORDER_ID}`, { sandbox })).headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('counts reads and writes of orders in one window', async () => {
    const { sandbox } = setup({ rateLimit: { orders: 2 } });
    await spendOrdersRequests(2, { sandbox });
    await expectError(await postOrder({ sandbox }), 429, 'rate_limit_exceeded');
  });

  it('counts each key in its own window', async () => {
    const { sandbox } = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox });
    expect((await call(`/orders/${TEST_ORDER_ID}`, { sandbox, key: OTHER_KEY })).status).toBe(200);
  });

  it('opens a new window after 60 s of real time while the sandbox clock stands still', async () => {
    const s = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox: s.sandbox });
    s.realClock.advance(60 * SECOND);
    expect((await call(`/orders/${TEST_ORDER_ID}`, { sandbox: s.sandbox })).status).toBe(200);
  });

  it('still refuses 59 s of real time into the window', async () => {
    const s = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox: s.sandbox });
    s.realClock.advance(59 * SECOND);
    await expectError(await call(`/orders/${TEST_ORDER_ID}`, { sandbox: s.sandbox }), 429, 'rate_limit_exceeded', { retryAfter: 1 });
  });

  it('does not open a new window when only the sandbox clock moves on', async () => {
    const s = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox: s.sandbox });
    s.clock.advance(HOUR);
    await expectError(await call(`/orders/${TEST_ORDER_ID}`, { sandbox: s.sandbox }), 429, 'rate_limit_exceeded');
  });

  it('refuses nothing and sends no X-RateLimit headers with rateLimit: false', async () => {
    const { sandbox } = setup({ rateLimit: false });
    await spendOrdersRequests(101, { sandbox });
    expect((await call(`/orders/${TEST_ORDER_ID}`, { sandbox })).headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('does not limit /sandbox routes', async () => {
    const { sandbox } = setup({ rateLimit: { orders: 1 } });
    await spendOrdersRequests(1, { sandbox });
    for (let i = 0; i < 3; i++) await listOrders('', { sandbox });
    const res = await call('/sandbox/orders', { sandbox });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('GET /sandbox/orders', () => {
  /** Creates orders for pat_1 … pat_n, oldest first; returns their ids. */
  async function createMany(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) ids.push((await createdOrder({ body: orderBody({ patientId: `pat_${i}` }) })).id);
    return ids;
  }

  it('lists the key\'s orders newest first, after the test order', async () => {
    const ids = await createMany(3);
    const page = await listOrders();
    expect(page.data.map((o) => o.id)).toEqual([...ids.reverse(), TEST_ORDER_ID]);
  });

  it('lists only the calling key\'s orders', async () => {
    await createMany(2);
    expect((await listOrders('', { key: OTHER_KEY })).data.map((o) => o.id)).toEqual([TEST_ORDER_ID]);
  });

  it('returns 20 orders by default', async () => {
    await createMany(21);
    const page = await listOrders();
    expect({ count: page.data.length, hasMore: page.hasMore }).toEqual({ count: 20, hasMore: true });
  });

  it('stops at the limit with hasMore and a nextCursor', async () => {
    const ids = await createMany(3);
    const page = await listOrders('?limit=2');
    expect(page.data.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('continues from nextCursor to the last page, which has no cursor', async () => {
    const ids = await createMany(3);
    const first = await listOrders('?limit=2');
    const last = await listOrders(`?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(last).toEqual({ data: [expect.objectContaining({ id: ids[0] }), expect.objectContaining({ id: TEST_ORDER_ID })], hasMore: false, nextCursor: null });
  });

  it('filters by status', async () => {
    const [a] = await createMany(2);
    await call(`/orders/${a}`, { method: 'DELETE' });
    expect((await listOrders('?status=cancelled')).data.map((o) => o.id)).toEqual([a]);
  });

  it('filters by patientId', async () => {
    const [, b] = await createMany(3);
    expect((await listOrders('?patientId=pat_2')).data.map((o) => o.id)).toEqual([b]);
  });

  it.each(['0', '101', 'abc', '1.5', '-1'])('returns 400 naming limit for limit=%s', async (limit) => {
    await expectError(await call(`/sandbox/orders?limit=${limit}`), 400, 'invalid_request', { field: 'limit' });
  });

  it('returns 400 for an unknown status filter', async () => {
    await expectError(await call('/sandbox/orders?status=lost'), 400, 'invalid_request', { field: 'status' });
  });

  it('returns 400 for a cursor that is not one the sandbox issued', async () => {
    await expectError(await call('/sandbox/orders?cursor=not-a-cursor'), 400, 'invalid_request', { field: 'cursor' });
  });

  it('returns 400 for a well-formed cursor of an order that does not exist', async () => {
    const cursor = Buffer.from('ord_unknown').toString('base64url');
    await expectError(await call(`/sandbox/orders?cursor=${cursor}`), 400, 'invalid_request', { field: 'cursor' });
  });
});

describe('POST /sandbox/reset', () => {
  const reset = (c: Call = {}) => call('/sandbox/reset', { method: 'POST', ...c });

  it('answers 200 {"reset":true}', async () => {
    const res = await reset();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reset: true });
  });

  it('forgets the orders the key created', async () => {
    const order = await createdOrder();
    await reset();
    await expectError(await call(`/orders/${order.id}`), 404, 'not_found');
  });

  it('leaves only the test data in the list', async () => {
    await createdOrder();
    await reset();
    expect((await listOrders()).data).toEqual([PUBLISHED_TEST_ORDER]);
  });

  it('restores the published test order', async () => {
    await t.store.ensureTenant(KEY, testDataSeed);
    const stored = (await t.store.getOrder(KEY, TEST_ORDER_ID))!;
    const cancelled = { ...stored, order: { ...PUBLISHED_TEST_ORDER, status: 'cancelled' as const }, version: stored.version + 1 };
    expect(await t.store.putOrder(KEY, cancelled, stored.version)).toBe(true);
    expect((await (await call(`/orders/${TEST_ORDER_ID}`)).json()).status).toBe('cancelled');
    await reset();
    expect(await (await call(`/orders/${TEST_ORDER_ID}`)).json()).toEqual(PUBLISHED_TEST_ORDER);
  });

  it('forgets idempotency keys', async () => {
    await postOrder({ idempotencyKey: 'order-1' });
    await reset();
    const res = await postOrder({ idempotencyKey: 'order-1' });
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('leaves other keys\' orders alone', async () => {
    const theirs = await createdOrder({ key: OTHER_KEY });
    await reset();
    expect((await call(`/orders/${theirs.id}`, { key: OTHER_KEY })).status).toBe(200);
  });
});

describe('POST /sandbox/reset with a body', () => {
  const reset = (init: RequestInit) => createSandbox({ rateLimit: false, sweepIntervalMs: 0 })
    .request('/sandbox/reset', { method: 'POST', ...init, headers: { 'X-API-Key': 'key_reset_body', ...(init.headers as Record<string, string>) } });

  it('takes no body or an empty object', async () => {
    expect([(await reset({})).status, (await reset({ headers: { 'Content-Type': 'application/json' }, body: '{}' })).status]).toEqual([200, 200]);
  });

  it.each([
    ['a body over the limit', { headers: { 'Content-Type': 'application/json' }, body: `{"x":"${'x'.repeat(2 * 1024 * 1024)}"}` }, 413],
    ['a text body', { headers: { 'Content-Type': 'text/plain' }, body: 'reset please' }, 415],
    ['malformed JSON', { headers: { 'Content-Type': 'application/json' }, body: '{' }, 400],
    ['an unknown member', { headers: { 'Content-Type': 'application/json' }, body: '{"keepOrders":true}' }, 422],
  ])('refuses %s, as every other operation does', async (_what, init, status) => {
    expect((await reset(init)).status).toBe(status);
  });
});

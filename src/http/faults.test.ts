import { describe, expect, it } from 'vitest';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { FAULT_HEADER } from './faults.ts';

const ORDER = {
  patientId: 'pat_test_001',
  prescriptionId: 'rx_test_001',
  shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
};

/**
 * Records every injected wait and resolves at once, or, with `hold`, holds it until released.
 * `reached` resolves when the first wait begins.
 */
function fakeDelay(hold = false) {
  const waits: number[] = [];
  const releases: (() => void)[] = [];
  let reachedNow!: () => void;
  const reached = new Promise<void>((resolve) => { reachedNow = resolve; });
  const delay = (ms: number) => {
    waits.push(ms);
    reachedNow();
    return hold ? new Promise<void>((resolve) => releases.push(resolve)) : Promise.resolve();
  };
  return { delay, waits, reached, releaseAll: () => releases.forEach((release) => release()) };
}

function sandboxWith(options: SandboxOptions = {}): Sandbox {
  // A real delay must never run here: a test that forgets its fake fails on this throw.
  const delay = () => Promise.reject(new Error('the test did not expect latency'));
  return createSandbox({ clockMode: 'virtual', sweepIntervalMs: 0, rateLimit: false, delay, ...options });
}

/** Sends as `apiKey`; the raw promise, so a dropped connection can be seen rejecting. */
function send(sandbox: Sandbox, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; apiKey?: string } = {}) {
  return sandbox.request(path, {
    method,
    headers: { 'X-API-Key': options.apiKey ?? 'key_a', 'Content-Type': 'application/json', ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

const withFault = (fault: string, headers: Record<string, string> = {}) => ({ [FAULT_HEADER]: fault, ...headers });
const createOrder = (sandbox: Sandbox, headers: Record<string, string> = {}, apiKey?: string) =>
  send(sandbox, 'POST', '/orders', { body: ORDER, headers, ...(apiKey === undefined ? {} : { apiKey }) });

/** The tenant's order ids, newest first (the published test order is always there). */
async function orderIds(sandbox: Sandbox, apiKey = 'key_a'): Promise<string[]> {
  const response = await send(sandbox, 'GET', '/sandbox/orders?limit=100', { apiKey });
  return ((await response.json()) as { data: { id: string }[] }).data.map((order) => order.id);
}

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; details?: Record<string, unknown> } }).error;

describe('injected errors by header', () => {
  it.each([
    ['500', 500, 'internal_error'],
    ['503', 503, 'service_unavailable'],
    ['429', 429, 'rate_limit_exceeded'],
  ])('answers %s with %i %s', async (fault, status, code) => {
    const response = await createOrder(sandboxWith(), withFault(fault));
    expect([response.status, (await errorOf(response)).code]).toEqual([status, code]);
  });

  it.each(['503', '429'])('sends Retry-After with %s', async (fault) => {
    const response = await createOrder(sandboxWith(), withFault(fault));
    expect(response.headers.get('Retry-After')).toBe('1');
  });

  it('gives 429 details.retryAfter', async () => {
    const response = await createOrder(sandboxWith(), withFault('429'));
    expect((await errorOf(response)).details).toEqual({ retryAfter: 1 });
  });

  it.each(['500', '503', '429'])('creates no order on %s', async (fault) => {
    const sandbox = sandboxWith();
    await createOrder(sandbox, withFault(fault));
    expect(await orderIds(sandbox)).toEqual([TEST_ORDER_ID]);
  });

  it.each(['500', '503', '429'])('does not consume the Idempotency-Key on %s', async (fault) => {
    const sandbox = sandboxWith();
    const key = { 'Idempotency-Key': 'fault-retry' };
    await createOrder(sandbox, withFault(fault, key));
    const retry = await createOrder(sandbox, key);
    expect([retry.status, retry.headers.get('Idempotent-Replayed')]).toEqual([201, null]);
  });

  it.each([
    ['GET', `/orders/${TEST_ORDER_ID}`, undefined],
    ['DELETE', `/orders/${TEST_ORDER_ID}`, undefined],
    ['POST', '/refills', { patientId: 'pat_test_001', prescriptionId: 'rx_test_001' }],
    ['POST', '/webhooks/test', {}],
  ])('applies to %s %s too', async (method, path, body) => {
    const response = await send(sandboxWith(), method, path, { body, headers: withFault('503') });
    expect(response.status).toBe(503);
  });
});

describe('injected latency', () => {
  it('waits latency=250 through the delay option, then serves the request', async () => {
    const { delay, waits } = fakeDelay();
    const response = await createOrder(sandboxWith({ delay }), withFault('latency=250'));
    expect([waits, response.status]).toEqual([[250], 201]);
  });

  it('waits faultLatencyMs for a bare latency', async () => {
    const { delay, waits } = fakeDelay();
    await createOrder(sandboxWith({ delay, faultLatencyMs: 1234 }), withFault('latency'));
    expect(waits).toEqual([1234]);
  });

  it('does not answer before the wait ends', async () => {
    const { delay, reached, releaseAll } = fakeDelay(true);
    const sandbox = sandboxWith({ delay });
    let answered = false;
    const pending = createOrder(sandbox, withFault('latency=250')).then((response) => { answered = true; return response; });
    await reached;
    expect(answered).toBe(false);
    expect(await orderIds(sandbox)).toEqual([TEST_ORDER_ID]);
    releaseAll();
    expect((await pending).status).toBe(201);
  });
});

describe('dropped connections', () => {
  it('makes sandbox.request reject with a TypeError on drop', async () => {
    await expect(createOrder(sandboxWith(), withFault('drop'))).rejects.toBeInstanceOf(TypeError);
  });

  it('creates nothing on drop', async () => {
    const sandbox = sandboxWith();
    await createOrder(sandbox, withFault('drop')).catch(() => undefined);
    expect(await orderIds(sandbox)).toEqual([TEST_ORDER_ID]);
  });

  it('makes sandbox.request reject with a TypeError on lost-response', async () => {
    await expect(createOrder(sandboxWith(), withFault('lost-response'))).rejects.toBeInstanceOf(TypeError);
  });

  it('creates the order on lost-response', async () => {
    const sandbox = sandboxWith();
    await createOrder(sandbox, withFault('lost-response')).catch(() => undefined);
    expect(await orderIds(sandbox)).toHaveLength(2);
  });

  it('loses the answer on lost-response even when the request is refused', async () => {
    const refused = sandboxWith().request('/orders', {
      method: 'POST', headers: { 'X-API-Key': 'key_a', 'Content-Type': 'application/json', [FAULT_HEADER]: 'lost-response' }, body: '{}',
    });
    await expect(refused).rejects.toBeInstanceOf(TypeError);
  });

  it('replays the lost 201 to a retry with the same Idempotency-Key', async () => {
    const sandbox = sandboxWith();
    const key = { 'Idempotency-Key': 'lost-once' };
    await createOrder(sandbox, withFault('lost-response', key)).catch(() => undefined);
    const [created] = await orderIds(sandbox);
    const retry = await createOrder(sandbox, key);
    expect([retry.status, retry.headers.get('Idempotent-Replayed'), ((await retry.json()) as { id: string }).id]).toEqual([201, 'true', created]);
    expect(await orderIds(sandbox)).toHaveLength(2);
  });
});

describe('a bad fault header', () => {
  it.each(['600', 'timeout', 'latency=abc', 'latency=-1', 'latency=1.5', 'latency=30001', '500=1', 'drop=now'])('refuses %j with 400 naming the header', async (fault) => {
    const response = await createOrder(sandboxWith(), withFault(fault));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', details: { field: FAULT_HEADER } });
  });

  it('creates nothing when refused', async () => {
    const sandbox = sandboxWith();
    await createOrder(sandbox, withFault('600'));
    expect(await orderIds(sandbox)).toEqual([TEST_ORDER_ID]);
  });
});

describe('server-wide fault rate', () => {
  const always503 = () => sandboxWith({ faultRate: 1, faultKinds: ['503'] });

  it.each([
    ['POST', '/orders', ORDER],
    ['GET', `/orders/${TEST_ORDER_ID}`, undefined],
    ['DELETE', `/orders/${TEST_ORDER_ID}`, undefined],
  ])('fails every %s %s with faultRate 1', async (method, path, body) => {
    const sandbox = always503();
    for (let i = 0; i < 5; i++) expect((await send(sandbox, method, path, { body })).status).toBe(503);
  });

  it.each([
    ['GET', '/sandbox/clock', undefined],
    ['GET', '/sandbox/orders', undefined],
    ['GET', `/sandbox/orders/${TEST_ORDER_ID}/history`, undefined],
    ['POST', '/sandbox/clock/advance', { seconds: 60 }],
  ])('never fails %s %s', async (method, path, body) => {
    expect((await send(always503(), method, path, { body })).status).toBe(200);
  });

  it('waits faultLatencyMs when the rate draws latency', async () => {
    const { delay, waits } = fakeDelay();
    const response = await createOrder(sandboxWith({ delay, faultRate: 1, faultKinds: ['latency'], faultLatencyMs: 75 }));
    expect([waits, response.status]).toEqual([[75], 201]);
  });

  it('injects nothing by default', async () => {
    const sandbox = sandboxWith();
    for (let i = 0; i < 20; i++) expect((await send(sandbox, 'GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(200);
  });
});

describe('faults and other tenants', () => {
  it.each(['500', '503', '429', 'drop', 'lost-response'])('leaves key B\'s requests fine after key A asks for %s', async (fault) => {
    const sandbox = sandboxWith();
    await createOrder(sandbox, withFault(fault), 'key_a').catch(() => undefined);
    expect((await createOrder(sandbox, {}, 'key_b')).status).toBe(201);
    expect(await orderIds(sandbox, 'key_b')).toHaveLength(2);
  });

  it('does not hold key B back while key A waits out injected latency', async () => {
    const { delay, reached, releaseAll } = fakeDelay(true);
    const sandbox = sandboxWith({ delay });
    const slow = createOrder(sandbox, withFault('latency=30000'), 'key_a');
    await reached;
    expect((await send(sandbox, 'GET', `/orders/${TEST_ORDER_ID}`, { apiKey: 'key_b' })).status).toBe(200);
    releaseAll();
    expect((await slow).status).toBe(201);
  });
});

describe('sandbox routes', () => {
  it.each([
    ['GET', '/sandbox/clock', undefined],
    ['GET', '/sandbox/orders', undefined],
    ['POST', '/sandbox/clock/advance', { seconds: 60 }],
    ['GET', `/sandbox/orders/${TEST_ORDER_ID}/history`, undefined],
  ])('ignore the fault header on %s %s', async (method, path, body) => {
    for (const fault of ['500', '503', '429', 'drop', 'lost-response', 'latency=250', 'not-a-fault']) {
      expect((await send(sandboxWith(), method, path, { body, headers: withFault(fault) })).status).toBe(200);
    }
  });
});

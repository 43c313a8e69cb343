import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { LogEntry, RequestLogEntry, WebhookLogEntry } from '../log/entry.ts';
import { keyFingerprint } from '../log/entry.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';

const T0 = Date.parse('2025-06-02T12:00:00Z');
const KEY = 'sk_test_secret_key_123';
const ORDER = {
  patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701' },
};

let opened: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
  opened = [];
});

/** A sandbox logging into an array, on manual clocks: latency faults move real time, so durations are exact. */
function logged(options: SandboxOptions = {}) {
  const entries: LogEntry[] = [];
  const realClock = new ManualClock(T0);
  const sandbox = createSandbox({
    clock: new ManualClock(T0), clockMode: 'virtual', realClock, sweepIntervalMs: 0, rateLimit: false,
    delay: async (ms) => realClock.advance(ms), log: (entry) => entries.push(entry), ...options,
  });
  opened.push(sandbox);
  const requests = () => entries.filter((entry): entry is RequestLogEntry => entry.kind === 'request');
  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key = KEY, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== null) headers.set('X-API-Key', key);
    if (rest.body !== undefined) headers.set('Content-Type', 'application/json');
    return sandbox.request(path, { ...rest, headers });
  };
  return { sandbox, entries, requests, realClock, call };
}

describe('the request log', () => {
  it('logs a request with its time, method, path, operation, status, duration and request id, and the key only as a fingerprint', async () => {
    const { requests, call, realClock } = logged();
    realClock.advance(1500);
    const answer = await call('/orders/ord_1234567890?expand=x', { headers: { 'Nimbus-Sandbox-Fault': 'latency=250' } });
    expect(requests()).toEqual([{
      kind: 'request', time: '2025-06-02T12:00:01.500Z', method: 'GET', path: '/orders/ord_1234567890', operationId: 'getOrder',
      status: 200, durationMs: 250, requestId: answer.headers.get('X-Request-Id'), replayed: false, fault: 'latency', key: keyFingerprint(KEY),
    }]);
    expect(JSON.stringify(requests())).not.toContain(KEY);
  });

  it('marks a replay, and names the code of each error answer, a stored refusal replayed included', async () => {
    const { requests, call } = logged();
    const create = (body: unknown) => call('/orders', { method: 'POST', headers: { 'Idempotency-Key': 'k1' }, body: JSON.stringify(body) });
    await create(ORDER);
    await create(ORDER);
    await create({ ...ORDER, patientId: 'pat_test_002' });
    const refill = () => call('/refills', { method: 'POST', headers: { 'Idempotency-Key': 'r1' }, body: JSON.stringify({ prescriptionId: 'rx_test_expired', patientId: 'pat_test_001' }) });
    await refill();
    await refill();
    expect(requests().map(({ status, errorCode, replayed }) => ({ status, errorCode, replayed }))).toEqual([
      { status: 201, errorCode: undefined, replayed: false },
      { status: 201, errorCode: undefined, replayed: true },
      { status: 409, errorCode: 'idempotency_key_conflict', replayed: false },
      { status: 422, errorCode: 'refill_not_eligible', replayed: false },
      { status: 422, errorCode: 'refill_not_eligible', replayed: true },
    ]);
  });

  it('logs refusals before any route: no key, an unknown route, a wrong method', async () => {
    const { requests, call } = logged();
    await call('/orders/ord_1234567890', { key: null });
    await call('/nowhere');
    await call('/orders', { method: 'PUT' });
    expect(requests().map(({ path, status, errorCode, key, operationId }) => ({ path, status, errorCode, key, operationId }))).toEqual([
      { path: '/orders/ord_1234567890', status: 401, errorCode: 'unauthorized', key: undefined, operationId: undefined },
      { path: '/nowhere', status: 404, errorCode: 'not_found', key: keyFingerprint(KEY), operationId: undefined },
      { path: '/orders', status: 405, errorCode: 'method_not_allowed', key: keyFingerprint(KEY), operationId: undefined },
    ]);
  });

  it('logs an injected fault, with no status when the connection was dropped or the answer lost', async () => {
    const { requests, call } = logged();
    await call('/orders/ord_1234567890', { headers: { 'Nimbus-Sandbox-Fault': '503' } });
    await expect(call('/orders/ord_1234567890', { headers: { 'Nimbus-Sandbox-Fault': 'drop' } })).rejects.toThrow(TypeError);
    await expect(call('/orders', { method: 'POST', headers: { 'Nimbus-Sandbox-Fault': 'lost-response' }, body: JSON.stringify(ORDER) })).rejects.toThrow(TypeError);
    expect(requests().map(({ status, fault, errorCode }) => ({ status, fault, errorCode }))).toEqual([
      { status: 503, fault: '503', errorCode: 'service_unavailable' },
      { status: null, fault: 'drop', errorCode: undefined },
      { status: null, fault: 'lost-response', errorCode: undefined },
    ]);
  });

  it('keeps a path a client chose as sent, cut at 300 characters', async () => {
    const { requests, call } = logged();
    await call('/orders/%0A%1B%5B31m');
    await call(`/orders/${'x'.repeat(400)}`);
    expect(requests()[0]!.path).toBe('/orders/\n\u001b[31m');
    expect(requests()[1]!.path).toBe(`/orders/${'x'.repeat(292)}...`);
  });

  it('never fails a request when the log does', async () => {
    const sandbox = createSandbox({ sweepIntervalMs: 0, log: () => { throw new Error('disk full'); } });
    opened.push(sandbox);
    expect((await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': KEY } })).status).toBe(200);
  });

  it('adds no Hono middleware, so Hono keeps its single-handler fast path; with CORS it runs as the outermost one', () => {
    const middlewareOf = (options: SandboxOptions) => {
      const sandbox = createSandbox({ sweepIntervalMs: 0, ...options });
      opened.push(sandbox);
      return sandbox.app.routes.filter((route) => route.path === '/*').length;
    };
    expect([middlewareOf({}), middlewareOf({ log: 'off' }), middlewareOf({ log: () => {} }), middlewareOf({ log: () => {}, cors: true })]).toEqual([0, 0, 0, 2]);
  });

  it('under CORS logs each request once, a preflight answered before any route included', async () => {
    const { requests, call } = logged({ cors: true });
    await call('/orders', { method: 'OPTIONS', key: null, headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    await call('/orders/ord_1234567890');
    await call('/orders/ord_1234567890', { key: null });
    await call('/nowhere');
    expect(requests().map(({ method, status, requestId }) => [method, status, requestId !== undefined])).toEqual([
      ['OPTIONS', 204, false], ['GET', 200, true], ['GET', 401, true], ['GET', 404, true],
    ]);
  });
});

describe('the webhook log', () => {
  it('logs every attempt with its endpoint, event, status, duration and next retry, and the dead letter', async () => {
    const realClock = new ManualClock(T0);
    const { entries, call, sandbox } = logged({
      realClock,
      webhookSender: async () => {
        realClock.advance(7);
        return { status: 500, error: 'Answered 500' };
      },
    });
    const endpoint = await (await call('/sandbox/webhook-endpoints', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['order.created'] }) })).json() as { id: string };
    await call('/orders', { method: 'POST', body: JSON.stringify(ORDER) });
    await call('/sandbox/clock/advance', { method: 'POST', body: JSON.stringify({ seconds: 60 }) });
    await sandbox.sweep();
    const attempts = entries.filter((entry): entry is WebhookLogEntry => entry.kind === 'webhook');
    expect(attempts.map(({ attempt, status, nextRetryAt, deadLettered }) => ({ attempt, status, retries: nextRetryAt !== undefined, deadLettered }))).toEqual([
      { attempt: 1, status: 500, retries: true, deadLettered: false },
      { attempt: 2, status: 500, retries: true, deadLettered: false },
      { attempt: 3, status: 500, retries: true, deadLettered: false },
      { attempt: 4, status: 500, retries: true, deadLettered: false },
      { attempt: 5, status: 500, retries: false, deadLettered: true },
    ]);
    expect(attempts[0]).toMatchObject({
      kind: 'webhook', key: keyFingerprint(KEY), endpointId: endpoint.id, url: 'http://127.0.0.1:9/hook', eventType: 'order.created',
      succeeded: false, error: 'Answered 500', durationMs: 7,
    });
    expect(new Set(attempts.map((attempt) => attempt.eventId)).size).toBe(1);
  });

  it('logs a test event sent once to a URL no endpoint has', async () => {
    const { entries, call, sandbox } = logged({ webhookSender: async () => ({ status: 204, error: null }) });
    await call('/webhooks/test', { method: 'POST', body: JSON.stringify({ webhookUrl: 'http://127.0.0.1:9/other' }) });
    await sandbox.sweep();
    await new Promise((resolve) => setImmediate(resolve));
    expect(entries.filter((entry) => entry.kind === 'webhook')).toMatchObject([
      { url: 'http://127.0.0.1:9/other', eventType: 'order.created', attempt: 1, status: 204, succeeded: true, deadLettered: false },
    ]);
    expect(entries.find((entry) => entry.kind === 'webhook')).not.toHaveProperty('endpointId');
  });
});

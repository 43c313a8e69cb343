import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { KeyedLock } from '../concurrency/keyed-lock.ts';
import { Refusal } from '../domain/refusal.ts';
import { seededIds } from '../ids.ts';
import { faultInjection } from './faults.ts';
import type { BoundOperation, BoundPath } from './operations.ts';
import { createApp, type PipelineDeps } from './pipeline.ts';
import { RateLimiter } from './rate-limit.ts';
import type { OperationId, SandboxContext } from './respond.ts';

/** Two paths: a published one (rate-limited, faults) and a sandbox helper; each handler says who served it. */
function paths(log: string[]): BoundPath[] {
  const handler = (id: OperationId): BoundOperation => ({
    id,
    serve: (c: SandboxContext) => {
      log.push(`${id} for ${c.get('tenant')}`);
      return new Response(JSON.stringify({ served: id }), { headers: { 'Content-Type': 'application/json', 'X-Request-Id': c.get('requestId'), ...c.get('responseHeaders') } });
    },
  });
  return [
    { route: '/orders/:orderId', specPath: '/orders/{orderId}', group: 'orders', keyless: false, methods: new Map([['GET', handler('getOrder')], ['DELETE', handler('cancelOrder')]]) },
    { route: '/sandbox/clock', specPath: '/sandbox/clock', group: undefined, keyless: false, methods: new Map([['GET', handler('sandboxGetClock')]]) },
    { route: '/sandbox/health', specPath: '/sandbox/health', group: undefined, keyless: true, methods: new Map([['GET', handler('sandboxHealth')]]) },
  ];
}

function pipeline(overrides: Partial<PipelineDeps> = {}) {
  const log: string[] = [];
  const entered: string[] = [];
  const lock = new KeyedLock<string>();
  const deps: PipelineDeps = {
    requestIds: seededIds(1),
    apiKeys: undefined,
    tenants: {
      enter: (tenant) => { entered.push(tenant); return undefined; },
      use: (tenant, work) => lock.shared(tenant, work),
    },
    rateLimiter: new RateLimiter({ orders: 2, refills: 2, webhooks: 2 }, new ManualClock(0)),
    faults: faultInjection({ rate: 0, kinds: [], latencyMs: 0, delay: async () => {}, randomFor: () => seededIds(2) }),
    reportUnexpected: (error) => { throw error; },
    ...overrides,
  };
  return { app: createApp(paths(log), deps), log, entered };
}

const get = (path: string, key?: string, method = 'GET') => new Request(`http://localhost${path}`, { method, headers: key === undefined ? {} : { 'X-API-Key': key } });

describe('the request pipeline', () => {
  it('gives every answer, refusals included, its own request id', async () => {
    const { app } = pipeline();
    const answers = [await app.fetch(get('/orders/ord_1', 'k')), await app.fetch(get('/orders/ord_1')), await app.fetch(get('/nowhere', 'k'))];
    const ids = answers.map((answer) => answer.headers.get('X-Request-Id'));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^req_/);
    const refused = await answers[1]!.json() as { error: { requestId: string } };
    expect(refused.error.requestId).toBe(ids[1]);
  });

  it('refuses a missing or unlisted key with 401 before routing: before 404 and 405', async () => {
    const { app, log } = pipeline({ apiKeys: new Set(['good']) });
    for (const request of [get('/orders/ord_1'), get('/orders/ord_1', 'bad'), get('/nowhere'), get('/sandbox/clock', undefined, 'PUT')]) {
      const answer = await app.fetch(request);
      expect([answer.status, (await answer.json() as { error: { code: string } }).error.code]).toEqual([401, 'unauthorized']);
    }
    expect(log).toEqual([]);
  });

  it('serves a keyless operation (security: []) without a key: no tenant entered, no rate limit', async () => {
    const { app, log, entered } = pipeline({ apiKeys: new Set(['good']) });
    for (const key of [undefined, 'bad', 'good']) {
      const answer = await app.fetch(get('/sandbox/health', key));
      expect([answer.status, answer.headers.get('X-RateLimit-Limit')]).toEqual([200, null]);
    }
    expect({ log, entered }).toEqual({ log: ['sandboxHealth for undefined', 'sandboxHealth for undefined', 'sandboxHealth for undefined'], entered: [] });
  });

  it('answers a wrong method with 405 and Allow, HEAD allowed where GET is', async () => {
    const { app } = pipeline();
    const answer = await app.fetch(get('/orders/ord_1', 'k', 'PUT'));
    expect([answer.status, answer.headers.get('Allow')]).toEqual([405, 'GET, DELETE, HEAD']);
    expect((await app.fetch(get('/orders/ord_1', 'k', 'HEAD'))).status).toBe(200);
  });

  it('enters the key\'s tenant, then serves the method\'s handler with the tenant set', async () => {
    const { app, log, entered } = pipeline();
    await app.fetch(get('/orders/ord_1', 'key_a'));
    await app.fetch(get('/orders/ord_1', 'key_b', 'DELETE'));
    expect({ entered, log }).toEqual({ entered: ['key_a', 'key_b'], log: ['getOrder for key_a', 'cancelOrder for key_b'] });
  });

  it('rate-limits the published API per key, and never the sandbox helpers', async () => {
    const { app } = pipeline();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.fetch(get('/orders/ord_1', 'k'))).status);
    for (let i = 0; i < 3; i++) statuses.push((await app.fetch(get('/sandbox/clock', 'k'))).status);
    statuses.push((await app.fetch(get('/orders/ord_1', 'other'))).status);
    expect(statuses).toEqual([200, 200, 429, 200, 200, 200, 200]);
    const limited = await app.fetch(get('/orders/ord_1', 'k'));
    expect(limited.headers.get('X-RateLimit-Remaining')).toBe('0');
  });

  it('injects a fault asked for on the published API only', async () => {
    const { app, log } = pipeline();
    const faulty = (path: string) => new Request(`http://localhost${path}`, { headers: { 'X-API-Key': 'k', 'Nimbus-Sandbox-Fault': '503' } });
    expect((await app.fetch(faulty('/orders/ord_1'))).status).toBe(503);
    expect((await app.fetch(faulty('/sandbox/clock'))).status).toBe(200);
    expect(log).toEqual(['sandboxGetClock for k']);
  });

  it('answers a request with nothing to wait for synchronously: Hono\'s single-handler fast path', () => {
    const { app } = pipeline();
    const answer = app.fetch(get('/orders/ord_1', 'k'));
    expect(answer).toBeInstanceOf(Response);
  });

  it('renders a refusal thrown by tenant admission in the envelope, with its Retry-After', async () => {
    const { app } = pipeline({
      tenants: {
        enter: () => Promise.reject(new Refusal('service_unavailable', 'Full', undefined, 7)),
        use: (_tenant, work) => work(),
      },
    });
    const answer = await app.fetch(get('/orders/ord_1', 'k'));
    expect([answer.status, answer.headers.get('Retry-After'), (await answer.json() as { error: { code: string } }).error.code]).toEqual([503, '7', 'service_unavailable']);
  });

  it('answers an unexpected failure with 500 in the envelope and reports it', async () => {
    const reported: unknown[] = [];
    const { app } = pipeline({
      tenants: { enter: () => undefined, use: () => { throw new Error('boom'); } },
      reportUnexpected: (error) => reported.push(error),
    });
    const answer = await app.fetch(get('/orders/ord_1', 'k'));
    expect([answer.status, (await answer.json() as { error: { code: string } }).error.code, reported.length]).toEqual([500, 'internal_error', 1]);
  });
});

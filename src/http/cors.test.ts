import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { acceptedRequestHeaders, CORS_MAX_AGE_SECONDS, publishedResponseHeaders } from './cors.ts';

const KEY = 'sk_test_cors';
const APP = 'http://localhost:3000';

let opened: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
  opened = [];
});

function start(options: SandboxOptions = {}): Sandbox {
  const sandbox = createSandbox({ realClock: new ManualClock(0), sweepIntervalMs: 0, ...options });
  opened.push(sandbox);
  return sandbox;
}

const preflight = (sandbox: Sandbox, origin = APP) => sandbox.request('/orders', {
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key,idempotency-key,content-type' },
});

describe('what CORS publishes, from the spec', () => {
  it('exposes every response header the spec documents', () => {
    expect(publishedResponseHeaders()).toEqual([
      'Cache-Control', 'Content-Security-Policy', 'Idempotent-Replayed', 'Location', 'Original-Request-Id', 'Referrer-Policy', 'Retry-After',
      'X-Content-Type-Options', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id',
    ]);
  });

  it('allows the request headers a client sends', () => {
    expect(acceptedRequestHeaders()).toEqual(['Content-Type', 'Idempotency-Key', 'Nimbus-Sandbox-Dashboard', 'Nimbus-Sandbox-Fault', 'X-API-Key']);
  });
});

describe('--cors', () => {
  it('answers a preflight with 204 without a key, and never counts it toward a rate limit', async () => {
    const sandbox = start({ cors: true, rateLimit: { orders: 1, refills: 1, webhooks: 1 } });
    for (let i = 0; i < 3; i++) {
      const answer = await preflight(sandbox);
      expect(answer.status).toBe(204);
      expect(Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST,GET,DELETE,HEAD',
        'access-control-allow-headers': acceptedRequestHeaders().join(','),
        'access-control-expose-headers': publishedResponseHeaders().join(','),
        'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      });
    }
    const answer = await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': KEY, Origin: APP } });
    expect([answer.status, answer.headers.get('X-RateLimit-Remaining')]).toEqual([200, '0']);
  });

  it('lets a script read every answer, errors included: 200, 401, 404 and 429', async () => {
    const sandbox = start({ cors: true, rateLimit: { orders: 1, refills: 1, webhooks: 1 } });
    const get = (path: string, key?: string) => sandbox.request(path, { headers: { Origin: APP, ...(key === undefined ? {} : { 'X-API-Key': key }) } });
    const answers = [await get('/orders/ord_1234567890', KEY), await get('/orders/ord_1234567890'), await get('/nowhere', KEY), await get('/orders/ord_1234567890', KEY)];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 429]);
    for (const answer of answers) {
      expect(answer.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(answer.headers.get('Access-Control-Expose-Headers')).toBe(publishedResponseHeaders().join(','));
    }
    expect(answers[3]!.headers.get('Retry-After')).not.toBeNull();
  });

  it('with origins, allows only those: the origin echoed with Vary, others get no Allow-Origin', async () => {
    const sandbox = start({ cors: [APP, 'https://app.example'] });
    const allowed = await preflight(sandbox);
    expect([allowed.status, allowed.headers.get('Access-Control-Allow-Origin'), allowed.headers.get('Vary')]).toEqual([204, APP, 'Origin, Access-Control-Request-Headers']);
    const other = await preflight(sandbox, 'https://evil.example');
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const read = await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': KEY, Origin: 'https://app.example' } });
    expect([read.status, read.headers.get('Access-Control-Allow-Origin'), read.headers.get('Vary')]).toEqual([200, 'https://app.example', 'Origin']);
  });

  it('is off by default: a preflight is refused like any request (401 without a key, 405 with one), never a 500, and answers carry no CORS headers', async () => {
    for (const options of [{}, { cors: false }] satisfies SandboxOptions[]) {
      const sandbox = start(options);
      const refused = await preflight(sandbox);
      expect([refused.status, refused.headers.get('Access-Control-Allow-Origin')]).toEqual([401, null]);
      const withKey = await sandbox.request('/orders', { method: 'OPTIONS', headers: { 'X-API-Key': KEY, Origin: APP } });
      expect([withKey.status, withKey.headers.get('Allow')]).toEqual([405, 'POST']);
      const read = await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': KEY, Origin: APP } });
      expect([read.status, read.headers.get('Access-Control-Allow-Origin'), read.headers.get('Access-Control-Expose-Headers')]).toEqual([200, null, null]);
    }
  });
});

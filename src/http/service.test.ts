import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ManualClock } from '../clock.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';

const T0 = Date.parse('2025-06-02T12:00:00Z');
const ROOT = new URL('../../', import.meta.url);
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string }).version;

let opened: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
  opened = [];
});

function start(options: SandboxOptions = {}) {
  const realClock = new ManualClock(T0);
  const sandbox = createSandbox({ realClock, sweepIntervalMs: 0, ...options });
  opened.push(sandbox);
  return { sandbox, realClock };
}

describe('GET /sandbox/health', () => {
  it('answers 200 without a key, with the version, the uptime and the keys held', async () => {
    const { sandbox, realClock } = start();
    const health = async () => {
      const answer = await sandbox.request('/sandbox/health');
      expect([answer.status, answer.headers.get('X-Request-Id')]).toEqual([200, expect.stringMatching(/^req_/)]);
      return answer.json();
    };
    expect(await health()).toEqual({ status: 'ok', version: PACKAGE_VERSION, uptimeSeconds: 0, keys: 0 });
    await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': 'key_a' } });
    await sandbox.request('/sandbox/clock', { headers: { 'X-API-Key': 'key_b' } });
    realClock.advance(12_345);
    expect(await health()).toEqual({ status: 'ok', version: PACKAGE_VERSION, uptimeSeconds: 12.345, keys: 2 });
  });

  it('creates no tenant, even when called with a key, and is never rate limited or refused a key', async () => {
    const { sandbox } = start({ apiKeys: ['only'], rateLimit: { orders: 1, refills: 1, webhooks: 1 } });
    for (let i = 0; i < 5; i++) {
      const answer = await sandbox.request('/sandbox/health', { headers: { 'X-API-Key': `someone_${i}` } });
      expect([answer.status, answer.headers.has('X-RateLimit-Limit')]).toEqual([200, false]);
    }
    expect(await (await sandbox.request('/sandbox/health')).json()).toMatchObject({ keys: 0 });
  });

  it('answers another method with 405, as other routes do', async () => {
    const { sandbox } = start();
    const answer = await sandbox.request('/sandbox/health', { method: 'POST' });
    expect([answer.status, answer.headers.get('Allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('the spec, served', () => {
  const file = readFileSync(new URL('spec/openapi.yaml', ROOT), 'utf8');

  it('GET /sandbox/openapi.yaml is spec/openapi.yaml byte for byte, as YAML, without a key', async () => {
    const { sandbox } = start();
    const answer = await sandbox.request('/sandbox/openapi.yaml');
    expect([answer.status, answer.headers.get('Content-Type')]).toEqual([200, 'application/yaml; charset=utf-8']);
    expect(Buffer.from(await answer.arrayBuffer()).equals(Buffer.from(file))).toBe(true);
  });

  it('GET /sandbox/openapi.json is the same document as JSON, without a key', async () => {
    const { sandbox } = start();
    const answer = await sandbox.request('/sandbox/openapi.json');
    expect([answer.status, answer.headers.get('Content-Type')]).toEqual([200, 'application/json']);
    expect(await answer.json()).toEqual(parse(file));
  });
});

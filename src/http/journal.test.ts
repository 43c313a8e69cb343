import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import type { LogEntry } from '../log/entry.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { schemaTest } from '../validation.ts';
import { sandboxCaller } from '../../test/support/sandbox-caller.ts';

const T0 = Date.parse('2025-06-02T12:00:00Z');
const KEY = 'sk_test_journal_key_42';
const isJournal = schemaTest('RequestJournal');
const POLL = { 'Nimbus-Sandbox-Dashboard': 'poll' };

let opened: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of opened) sandbox.close();
  opened = [];
});

function setup(options: SandboxOptions = {}) {
  const realClock = new ManualClock(T0);
  const sandbox = createSandbox({ clockMode: 'virtual', startTime: T0, realClock, sweepIntervalMs: 0, rateLimit: false, ...options });
  opened.push(sandbox);
  const call = sandboxCaller(sandbox, KEY);
  /** The key's journal, read as the dashboard does (not journaled itself). */
  const journal = async (key = KEY) => {
    const reply = await sandboxCaller(sandbox, key)('GET', '/sandbox/requests', undefined, POLL);
    expect(reply.status, reply.text).toBe(200);
    expect(isJournal(reply.body)).toBe(true);
    expect(reply.text).not.toContain(key);
    return reply.body.data as Array<Record<string, unknown>>;
  };
  return { sandbox, call, journal, realClock };
}

describe('GET /sandbox/requests: the key\'s request journal', () => {
  it('lists the key\'s requests newest first with what happened, never the key, with the log off', async () => {
    const { call, journal, realClock } = setup();
    const read = await call('GET', `/orders/${TEST_ORDER_ID}?expand=none`);
    realClock.advance(1500);
    await call('GET', '/orders/ord_unknown');
    expect(await journal()).toEqual([
      {
        time: '2025-06-02T12:00:01.500Z', method: 'GET', path: '/orders/ord_unknown', operationId: 'getOrder', status: 404,
        errorCode: 'not_found', durationMs: 0, requestId: expect.stringMatching(/^req_/), replayed: false,
      },
      {
        time: '2025-06-02T12:00:00.000Z', method: 'GET', path: `/orders/${TEST_ORDER_ID}`, operationId: 'getOrder', status: 200,
        durationMs: 0, requestId: read.headers.get('X-Request-Id'), replayed: false,
      },
    ]);
  });

  it('marks replays and faults, and a dropped connection has no status', async () => {
    const { sandbox, call, journal } = setup();
    const body = { patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } };
    await call('POST', '/orders', body, { 'Idempotency-Key': 'same' });
    await call('POST', '/orders', body, { 'Idempotency-Key': 'same' });
    await expect(sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': KEY, 'Nimbus-Sandbox-Fault': 'drop' } })).rejects.toThrow(TypeError);
    const [dropped, replayed, created] = await journal();
    expect([dropped!.status, dropped!.fault, replayed!.replayed, replayed!.status, created!.replayed]).toEqual([null, 'drop', true, 201, false]);
  });

  it('keeps the last 200, and leaves out the dashboard\'s polls and the requests of no key', async () => {
    const { sandbox, call, journal } = setup();
    for (let i = 0; i < 205; i++) await call('GET', `/sandbox/orders/${TEST_ORDER_ID}/history?i=${i}`);
    await call('GET', '/sandbox/orders', undefined, POLL);
    await call('GET', '/sandbox/clock', undefined, POLL);
    await sandbox.request('/sandbox/health', { headers: { 'X-API-Key': KEY } });
    await sandbox.request('/sandbox/docs', { headers: { 'X-API-Key': KEY } });
    await sandbox.request('/sandbox/orders');
    const entries = await journal();
    expect(entries).toHaveLength(200);
    expect(entries.every((entry) => entry.operationId === 'sandboxOrderHistory')).toBe(true);
    // A poll is left out by its header, not its operation: the same read without it is kept.
    await call('GET', '/sandbox/clock');
    expect((await journal())[0]!.operationId).toBe('sandboxGetClock');
  });

  it('journals an unknown route under the key sent once the key is held, and its own reads when not sent as polls', async () => {
    const { call, journal } = setup();
    await call('GET', '/sandbox/nothing-there');
    expect(await journal()).toEqual([]);
    await call('GET', '/sandbox/nothing-here');
    await call('GET', '/sandbox/requests');
    const [own, unknown] = await journal();
    expect(own).toMatchObject({ path: '/sandbox/requests', operationId: 'sandboxListRequests', status: 200 });
    expect(unknown).toMatchObject({ path: '/sandbox/nothing-here', status: 404, errorCode: 'not_found' });
    expect(unknown).not.toHaveProperty('operationId');
  });

  it('keeps each key\'s journal apart, and keeps it across a reset', async () => {
    const { sandbox, call, journal } = setup();
    await call('GET', '/sandbox/clock');
    await sandboxCaller(sandbox, 'key_other')('GET', '/sandbox/orders');
    await call('POST', '/sandbox/reset');
    expect((await journal()).map((entry) => entry.operationId)).toEqual(['sandboxReset', 'sandboxGetClock']);
    expect((await journal('key_other')).map((entry) => entry.operationId)).toEqual(['sandboxListOrders']);
  });

  it('drops a key\'s journal when the sandbox forgets the key to make room for another', async () => {
    const { sandbox, call, journal } = setup({ maxTenants: 1, tenantIdleMs: 0 });
    await call('GET', '/sandbox/clock');
    await sandboxCaller(sandbox, 'key_newcomer')('GET', '/sandbox/clock');
    expect(await journal()).toEqual([]);
  });

  it('is fed alongside a log the caller keeps; a dashboard poll goes to neither, as an open dashboard would fill both', async () => {
    const entries: LogEntry[] = [];
    const { call, journal } = setup({ log: (entry) => entries.push(entry) });
    await call('GET', '/sandbox/orders', undefined, POLL);
    await call('GET', '/sandbox/clock', undefined, POLL);
    await call('GET', '/sandbox/clock');
    expect(entries.map((entry) => entry.kind === 'request' && entry.operationId)).toEqual(['sandboxGetClock']);
    expect(await journal()).toHaveLength(1);
  });

  it('needs an API key', async () => {
    const { sandbox } = setup();
    expect((await sandbox.request('/sandbox/requests')).status).toBe(401);
  });
});

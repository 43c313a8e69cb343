import { afterEach, describe, expect, it } from 'vitest';
import type { Refill } from '../api-types.ts';
import { createSandbox, type Sandbox } from '../sandbox.ts';
import { schemaTest } from '../validation.ts';
import { sandboxCaller, type Reply } from '../../test/support/sandbox-caller.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const HOUR = 3_600_000;
const isRefillList = schemaTest('RefillList');
const isError = schemaTest('Error');

let opened: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of opened) sandbox.close();
  opened = [];
});

/** A sandbox on a virtual clock and one key's calls; refills on prescriptions of their own, so none waits for another's window. */
function setup(key = 'key_refills') {
  const sandbox = createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false });
  opened.push(sandbox);
  const call = sandboxCaller(sandbox, key);
  let made = 0;
  const create = async (patientId = 'pat_1234567890'): Promise<Refill> => {
    made++;
    const reply = await call('POST', '/refills', { prescriptionId: `rx_list_${made}`, patientId });
    expect(reply.status, reply.text).toBe(201);
    return reply.body as Refill;
  };
  const list = async (query = '', headers: Record<string, string> = {}) => {
    const reply = await call('GET', `/sandbox/refills${query}`, undefined, headers);
    expect(reply.status, reply.text).toBe(200);
    expect(isRefillList(reply.body)).toBe(true);
    return reply.body as { data: Refill[]; hasMore: boolean; nextCursor: string | null };
  };
  return { sandbox, call, create, list };
}

function expectRefused(reply: Reply, field: string) {
  expect([reply.status, reply.body.error.code, reply.body.error.details?.field]).toEqual([400, 'invalid_request', field]);
  expect(isError(reply.body)).toBe(true);
}

describe('GET /sandbox/refills', () => {
  it('lists the key\'s refills newest first, none for a new key', async () => {
    const { create, list } = setup();
    expect(await list()).toEqual({ data: [], hasMore: false, nextCursor: null });
    const made = [await create(), await create(), await create()];
    expect((await list()).data.map((refill) => refill.id)).toEqual(made.map((refill) => refill.id).reverse());
  });

  it('pages with limit and nextCursor until a last page with no cursor, 20 by default', async () => {
    const { create, list } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await create()).id);
    const first = await list();
    expect([first.data.length, first.hasMore]).toEqual([20, true]);
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect([second.data.map((refill) => refill.id), second.hasMore]).toEqual([[ids[2], ids[1]], true]);
    const last = await list(`?limit=2&cursor=${encodeURIComponent(second.nextCursor!)}`);
    expect(last).toEqual({ data: [expect.objectContaining({ id: ids[0] })], hasMore: false, nextCursor: null });
  });

  it('filters by status and by patient, with the statuses the clock has moved them to', async () => {
    const { create, list, call } = setup();
    const early = await create('pat_a');
    await call('POST', '/sandbox/clock/advance', { seconds: 5 * HOUR / 1000 });
    const late = await create('pat_b');
    // Listing applies the steps due, as reads do.
    expect((await list('?status=approved')).data.map((refill) => [refill.id, refill.status])).toEqual([[early.id, 'approved']]);
    expect((await list('?status=pending')).data.map((refill) => refill.id)).toEqual([late.id]);
    expect((await list('?patientId=pat_b')).data.map((refill) => refill.id)).toEqual([late.id]);
    expect((await list('?patientId=pat_b&status=approved')).data).toEqual([]);
  });

  it('lists only the calling key\'s refills', async () => {
    const { sandbox, create } = setup();
    await create();
    const other = await sandboxCaller(sandbox, 'key_other')('GET', '/sandbox/refills');
    expect(other.body).toEqual({ data: [], hasMore: false, nextCursor: null });
  });

  it.each(['0', '101', 'abc'])('refuses limit=%s with 400 naming limit', async (limit) => {
    expectRefused(await setup().call('GET', `/sandbox/refills?limit=${limit}`), 'limit');
  });

  it('refuses a status refills do not have, and a cursor it did not issue or of a refill a reset removed', async () => {
    const { call, create, list } = setup();
    expectRefused(await call('GET', '/sandbox/refills?status=delivered'), 'status');
    expectRefused(await call('GET', '/sandbox/refills?cursor=not-a-cursor'), 'cursor');
    expectRefused(await call('GET', `/sandbox/refills?cursor=${Buffer.from('ord_1234567890').toString('base64url')}`), 'cursor');
    await create();
    await create();
    const cursor = (await list('?limit=1')).nextCursor!;
    await call('POST', '/sandbox/reset');
    const refused = await call('GET', `/sandbox/refills?cursor=${encodeURIComponent(cursor)}`);
    expectRefused(refused, 'cursor');
    expect(refused.body.error.message).toContain('refill was removed by a reset');
  });

  it('needs an API key', async () => {
    const { sandbox } = setup();
    const reply = await sandbox.request('/sandbox/refills');
    expect([reply.status, ((await reply.json()) as { error: { code: string } }).error.code]).toEqual([401, 'unauthorized']);
  });
});

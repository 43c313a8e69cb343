import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { schemaTest } from '../validation.ts';
import type { SendResult } from '../webhooks/webhook-service.ts';
import { sandboxCaller, type Reply } from '../../test/support/sandbox-caller.ts';

/** Every cap a key's collections have: reached, refused (or trimmed), and freed by a reset. */

const START = Date.parse('2025-02-03T15:00:00Z');
const HOOK_URL = 'http://127.0.0.1:9/hooks';
const isError = schemaTest('Error');

const orderBody = (patientId = 'pat_test_001') => ({
  patientId, prescriptionId: 'rx_test_001',
  shippingAddress: { street1: '1 Elm St', city: 'Austin', state: 'TX', zip: '78701' },
});
/** Any well-formed prescription gets the default rules, so each of these can have a refill at once. */
const refillBody = (n: number) => ({ prescriptionId: `rx_limit_${n}`, patientId: 'pat_test_001' });

let opened: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
  opened = [];
});

function sandboxWith(options: SandboxOptions) {
  const sandbox = createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false, ...options });
  opened.push(sandbox);
  return { sandbox, call: sandboxCaller(sandbox, 'key_a'), other: sandboxCaller(sandbox, 'key_b') };
}

function expectLimit(reply: Reply, limit: number, reason: RegExp): void {
  expect(reply.status, reply.text).toBe(409);
  expect(isError(reply.body)).toBe(true);
  expect(reply.body.error).toMatchObject({ code: 'limit_reached', details: { limit } });
  expect(reply.body.error.details.reason).toMatch(reason);
  expect(reply.headers.get('Idempotent-Replayed')).toBeNull();
}

async function orderCount(call: ReturnType<typeof sandboxCaller>): Promise<number> {
  return (await call('GET', '/sandbox/orders?limit=100')).body.data.length;
}

describe('orders per key (maxOrders)', () => {
  it('refuses the order past the cap with limit_reached, stores nothing, and creates again after a reset', async () => {
    const { call, other } = sandboxWith({ maxOrders: 3 });
    // The published test order counts: two orders of the key's own fill it.
    for (let i = 0; i < 2; i++) expect((await call('POST', '/orders', orderBody())).status).toBe(201);
    expectLimit(await call('POST', '/orders', orderBody()), 3, /POST \/sandbox\/reset/);
    expect(await orderCount(call)).toBe(3);
    // Another key has a cap of its own.
    expect((await other('POST', '/orders', orderBody())).status).toBe(201);

    expect((await call('POST', '/sandbox/reset')).status).toBe(200);
    expect((await call('POST', '/orders', orderBody())).status).toBe(201);
    expect(await orderCount(call)).toBe(2);
  });

  it('does not consume the idempotency key it refuses, and still replays a create that succeeded before the cap', async () => {
    const { call } = sandboxWith({ maxOrders: 2 });
    const first = await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k-ok' });
    expect(first.status).toBe(201);

    expectLimit(await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k-full' }), 2, /reset/);
    // Not kept as the key's answer: neither replayed nor a conflict for another body.
    expectLimit(await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k-full' }), 2, /reset/);
    expectLimit(await call('POST', '/orders', orderBody('pat_test_002'), { 'Idempotency-Key': 'k-full' }), 2, /reset/);

    // A retry of the create that filled the key (its answer lost, say) is its replay, not a refusal.
    const retry = await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k-ok' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(await orderCount(call)).toBe(2);
  });
});

describe('refills per key (maxRefills)', () => {
  it('refuses the refill past the cap with limit_reached, without consuming its key, and creates again after a reset', async () => {
    const { call } = sandboxWith({ maxRefills: 2 });
    expect((await call('POST', '/refills', refillBody(1))).status).toBe(201);
    expect((await call('POST', '/refills', refillBody(2))).status).toBe(201);
    expectLimit(await call('POST', '/refills', refillBody(3), { 'Idempotency-Key': 'r-full' }), 2, /POST \/sandbox\/reset/);
    expectLimit(await call('POST', '/refills', refillBody(4), { 'Idempotency-Key': 'r-full' }), 2, /reset/);
    // Eligibility is not looked at once the key is full: a magic refusal gives way to the cap.
    expectLimit(await call('POST', '/refills', { prescriptionId: 'rx_test_expired', patientId: 'pat_test_001' }), 2, /reset/);

    expect((await call('POST', '/sandbox/reset')).status).toBe(200);
    expect((await call('POST', '/refills', refillBody(3), { 'Idempotency-Key': 'r-full' })).status).toBe(201);
  });
});

describe('webhook endpoints per key (maxEndpoints)', () => {
  it('refuses the endpoint past the cap with limit_reached; a delete or a reset makes room', async () => {
    const { call } = sandboxWith({ maxEndpoints: 2 });
    const first = await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/1` });
    expect(first.status).toBe(201);
    expect((await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/2` })).status).toBe(201);
    expectLimit(await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/3` }), 2, /DELETE .*or POST \/sandbox\/reset/);
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toHaveLength(2);

    expect((await call('DELETE', `/sandbox/webhook-endpoints/${first.body.id}`)).status).toBe(200);
    expect((await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/3` })).status).toBe(201);
    expectLimit(await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/4` }), 2, /reset/);

    expect((await call('POST', '/sandbox/reset')).status).toBe(200);
    expect((await call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/4` })).status).toBe(201);
  });

  it('counts a --webhook-url subscription, and lets no parallel registrations pass the cap together', async () => {
    const { call } = sandboxWith({ maxEndpoints: 3, webhookUrl: `${HOOK_URL}/all`, webhookSender: async () => ({ status: 200, error: null }) });
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => call('POST', '/sandbox/webhook-endpoints', { url: `${HOOK_URL}/${n}` })));
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 201, 409, 409, 409]);
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toHaveLength(3);
  });
});

describe('delivery attempts kept per endpoint (maxDeliveries)', () => {
  it('keeps the newest attempts and drops older ones, never refusing', async () => {
    const sent: { eventId: string; orderId: string }[] = [];
    const webhookSender = async (_url: string, body: string): Promise<SendResult> => {
      const event = JSON.parse(body);
      sent.push({ eventId: event.id, orderId: event.data.orderId });
      return { status: 200, error: null };
    };
    const { sandbox, call } = sandboxWith({ maxDeliveries: 3, webhookSender });
    const endpoint = (await call('POST', '/sandbox/webhook-endpoints', { url: HOOK_URL, events: ['order.created'] })).body;
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/orders', orderBody())).status).toBe(201);
      await sandbox.sweep();
      const kept = (await call('GET', `/sandbox/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
      expect(kept.length).toBeLessThanOrEqual(3);
    }
    expect(sent).toHaveLength(5);
    const kept = (await call('GET', `/sandbox/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    expect(kept.map((attempt: { eventId: string }) => attempt.eventId)).toEqual(sent.slice(2).map((event) => event.eventId));
  });
});

describe('idempotency keys kept per key (maxIdempotencyKeys)', () => {
  it('keeps the newest keys: a retry with a key dropped early runs afresh, one still kept replays', async () => {
    const { call } = sandboxWith({ maxIdempotencyKeys: 2 });
    const firsts: Reply[] = [];
    for (const key of ['k1', 'k2', 'k3', 'k4']) firsts.push(await call('POST', '/orders', orderBody(), { 'Idempotency-Key': key }));
    expect(firsts.map((reply) => reply.status)).toEqual([201, 201, 201, 201]);

    const kept = await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k4' });
    expect(kept.headers.get('Idempotent-Replayed')).toBe('true');
    expect(kept.body.id).toBe(firsts[3]!.body.id);

    // k1 was dropped to keep to two keys: the same request makes a new order.
    const dropped = await call('POST', '/orders', orderBody(), { 'Idempotency-Key': 'k1' });
    expect(dropped.status).toBe(201);
    expect(dropped.headers.get('Idempotent-Replayed')).toBeNull();
    expect(dropped.body.id).not.toBe(firsts[0]!.body.id);
    expect(await orderCount(call)).toBe(6);
  });
});

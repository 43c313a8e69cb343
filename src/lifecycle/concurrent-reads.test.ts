import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { createSandbox, type Sandbox } from '../sandbox.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const HOUR = 3_600_000;
const KEY = 'key_concurrent_reads';
const READERS = 5;

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** A sandbox with a receiver recording every event, an order due to ship and a refill due for approval. */
async function dueOrderAndRefill(over: 'in-process' | 'http') {
  const clock = new ManualClock(START);
  const events: Array<{ id: string; type: string }> = [];
  const sandbox: Sandbox = createSandbox({
    clock, sweepIntervalMs: 0, rateLimit: false,
    webhookSender: async (_url, body) => {
      const { id, type } = JSON.parse(body) as { id: string; type: string };
      events.push({ id, type });
      return { status: 204, error: null };
    },
  });
  let fetch: Fetch = (path, init) => sandbox.request(path, init);
  let stop = () => {};
  if (over === 'http') {
    const server = serve({ fetch: sandbox.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    fetch = (path, init) => globalThis.fetch(`http://127.0.0.1:${port}${path}`, init);
    stop = () => server.close();
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(path, {
      method, headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() as Record<string, any> };
  };
  await call('POST', '/sandbox/webhook-endpoints', { url: 'http://receiver.test/hooks' });
  const order = await call('POST', '/orders', {
    patientId: 'pat_test_001', prescriptionId: 'rx_test_001', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
  });
  const refill = await call('POST', '/refills', { prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
  await sandbox.sweep();
  clock.advance(25 * HOUR);
  return { sandbox, call, events, orderId: order.body.id as string, refillId: refill.body.id as string, stop };
}

describe.each(['in-process', 'http'] as const)('concurrent reads of a record whose step fell due (%s)', (over) => {
  it('give one tracking number and send one order.fulfilled', async () => {
    const { sandbox, call, events, orderId, stop } = await dueOrderAndRefill(over);
    const reads = await Promise.all(Array.from({ length: READERS }, () => call('GET', `/orders/${orderId}`)));
    await sandbox.sweep();
    expect(new Set(reads.map((read) => read.body.trackingNumber)).size).toBe(1);
    expect(reads.every((read) => read.body.status === 'shipped')).toBe(true);
    expect(events.filter((event) => event.type === 'order.fulfilled')).toHaveLength(1);
    const history = await call('GET', `/sandbox/orders/${orderId}/history`);
    expect(history.body.history.map((change: { status: string }) => change.status)).toEqual(['pending', 'processing', 'shipped']);
    sandbox.close();
    stop();
  });

  it('approve a refill once and send one refill.ready', async () => {
    const { sandbox, call, events, refillId, stop } = await dueOrderAndRefill(over);
    const reads = await Promise.all(Array.from({ length: READERS }, () => call('GET', `/refills/${refillId}`)));
    await sandbox.sweep();
    expect(reads.every((read) => read.body.status === 'processing')).toBe(true);
    expect(events.filter((event) => event.type === 'refill.ready')).toHaveLength(1);
    const history = await call('GET', `/sandbox/refills/${refillId}/history`);
    expect(history.body.history.map((change: { status: string }) => change.status)).toEqual(['pending', 'approved', 'processing']);
    sandbox.close();
    stop();
  });
});

import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox.ts';
import { MemoryStore } from '../store/memory-store.ts';

/** A store that says when a key's orders are first read once it is armed. */
class WatchedStore extends MemoryStore {
  armed: { tenant: string; reached: () => void } | undefined;

  override async getOrder(tenant: string, orderId: string) {
    if (this.armed?.tenant === tenant) {
      this.armed.reached();
      this.armed = undefined;
    }
    return super.getOrder(tenant, orderId);
  }
}

const ORDERS = 4_000;

describe('a long clock advance shares the process', () => {
  it('serves another key\'s read while one key\'s 5-day advance applies thousands of changes', async () => {
    const store = new WatchedStore();
    const sandbox = createSandbox({ store, clockMode: 'virtual', sweepIntervalMs: 0, rateLimit: false });
    const headers = (key: string) => ({ 'X-API-Key': key, 'Content-Type': 'application/json' });
    const body = JSON.stringify({ patientId: 'pat_test_001', prescriptionId: 'rx_test_001', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } });
    for (let i = 0; i < ORDERS; i++) await sandbox.request('/orders', { method: 'POST', headers: headers('key_busy'), body });
    await sandbox.request('/orders/ord_1234567890', { headers: headers('key_other') });
    const server = serve({ fetch: sandbox.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const finished: string[] = [];
    const sweeping = new Promise<void>((reached) => { store.armed = { tenant: 'key_busy', reached }; });
    const advance = fetch(`http://127.0.0.1:${port}/sandbox/clock/advance`, { method: 'POST', headers: headers('key_busy'), body: '{"seconds":432000}' })
      .then((response) => { finished.push(`advance ${response.status}`); });
    // The read goes out once the advance is under way: its first due changes are being applied.
    await sweeping;
    const read = fetch(`http://127.0.0.1:${port}/orders/ord_1234567890`, { headers: headers('key_other') })
      .then((response) => { finished.push(`read ${response.status}`); });
    await Promise.all([advance, read]);
    expect(finished).toEqual(['read 200', 'advance 200']);
    server.close();
    await sandbox.close();
  });
});

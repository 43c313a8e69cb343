import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { KeyedLock } from '../concurrency/keyed-lock.ts';
import { Catalog } from '../domain/catalog.ts';
import { OrderService } from '../domain/orders.ts';
import { seededIds } from '../ids.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { DEFAULT_TIMELINE } from './order-lifecycle.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const REQUEST = { patientId: 'pat_test_001', prescriptionId: 'rx_test_001', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' } };

describe('the lifecycle engine', () => {
  it('keeps a stored change when telling of it fails, and reports the failure instead of throwing', async () => {
    const store = new MemoryStore();
    await store.ensureTenant('t', () => ({ settings: { defaultSecret: 'whsec_x', clockAdvancedMs: 0 }, orders: [], endpoints: [] }));
    const reported: unknown[] = [];
    const clock = new ManualClock(START);
    const orders = new OrderService({
      store, lock: new KeyedLock(), idsFor: () => seededIds(1), clockFor: () => clock, timeline: DEFAULT_TIMELINE,
      strictReferences: false, catalog: new Catalog(), maxOrders: 100,
      onChange: () => { throw new Error('the receiver list is broken'); },
      reportUnexpected: (error) => reported.push(error),
    });
    const created = await orders.create('t', REQUEST);
    expect((await store.getOrder('t', created.order.id))?.order.status).toBe('pending');
    clock.advance(2 * 3_600_000);
    expect((await orders.get('t', created.order.id)).order.status).toBe('processing');
    expect(reported.map((error) => (error as Error).message)).toEqual(['the receiver list is broken', 'the receiver list is broken']);
  });
});

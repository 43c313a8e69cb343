import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { createSandbox } from '../sandbox.ts';
import type { WebhookEventType } from '../api-types.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { ORDER_LIFECYCLE } from './order-lifecycle.ts';
import { REFILL_LIFECYCLE } from './refill-lifecycle.ts';
import { statusOfEvent } from './table.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const HOUR = 3_600_000;
const KEY = 'key_exactly_once';
const ORDERS = 2;

/** A store whose record reads come back when the fast-check scheduler says, so concurrent work interleaves every way. */
class ScheduledStore extends MemoryStore {
  scheduler: fc.Scheduler | undefined;

  override async getOrder(tenant: string, orderId: string) {
    const record = await super.getOrder(tenant, orderId);
    return this.scheduler === undefined ? record : this.scheduler.schedule(Promise.resolve(record), `read ${orderId}`);
  }

  override async getRefill(tenant: string, refillId: string) {
    const refill = await super.getRefill(tenant, refillId);
    return this.scheduler === undefined ? refill : this.scheduler.schedule(Promise.resolve(refill), `read ${refillId}`);
  }
}

type Operation =
  | { op: 'readOrder'; order: number }
  | { op: 'readHistory'; order: number }
  | { op: 'readRefill' }
  | { op: 'sweep' }
  | { op: 'advanceOrder'; order: number }
  | { op: 'cancel'; order: number }
  | { op: 'advanceClock' }
  | { op: 'reset' };

const order = fc.nat({ max: ORDERS - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('readOrder' as const), order }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('readHistory' as const), order }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('readRefill' as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('sweep' as const) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('advanceOrder' as const), order }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('cancel' as const), order }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('advanceClock' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('reset' as const) }), weight: 1 },
);

interface Sent {
  id: string;
  type: WebhookEventType;
  subject: string;
  status: string;
}

describe('every state change applied exactly once, however requests interleave', () => {
  it('gives one tracking number and one event per step to concurrent reads, sweeps, advances, cancels and resets', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.array(operation, { minLength: 2, maxLength: 10 }), async (s, operations) => {
      const clock = new ManualClock(START);
      const store = new ScheduledStore();
      const sent: Sent[] = [];
      const sandbox = createSandbox({
        store, clock, sweepIntervalMs: 0, rateLimit: false,
        webhookSender: async (_url, body) => {
          const event = JSON.parse(body) as { id: string; type: WebhookEventType; data: { orderId?: string; refillId?: string; status: string } };
          sent.push({ id: event.id, type: event.type, subject: event.data.orderId ?? event.data.refillId!, status: event.data.status });
          return { status: 204, error: null };
        },
      });
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await sandbox.request(path, {
          method, headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: await response.json() as Record<string, any> };
      };

      const endpoint = await call('POST', '/sandbox/webhook-endpoints', {
        url: 'http://receiver.test/hooks', events: ['order.created', 'order.processing', 'order.fulfilled', 'order.delivered', 'order.cancelled', 'refill.ready'],
      });
      expect(endpoint.status).toBe(201);
      const orderIds: string[] = [];
      for (let i = 0; i < ORDERS; i++) {
        const created = await call('POST', '/orders', {
          patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
          shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
        });
        orderIds.push(created.body.id);
      }
      const refill = await call('POST', '/refills', { prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
      expect(refill.status).toBe(201);
      await sandbox.sweep();
      // Shipping (and the refill's approval) fell due, with nothing applied yet.
      clock.advance(25 * HOUR);

      const trackingNumbers = new Map<string, Set<string>>();
      const seeOrder = (body: Record<string, any>) => {
        if (typeof body.trackingNumber !== 'string') return;
        const seen = trackingNumbers.get(body.id) ?? new Set<string>();
        seen.add(body.trackingNumber);
        trackingNumbers.set(body.id, seen);
      };
      const statuses: number[] = [];
      const run = async (step: Operation): Promise<void> => {
        let reply: { status: number; body: Record<string, any> };
        switch (step.op) {
          case 'readOrder':
            reply = await call('GET', `/orders/${orderIds[step.order]}`);
            seeOrder(reply.body);
            break;
          case 'readHistory':
            reply = await call('GET', `/sandbox/orders/${orderIds[step.order]}/history`);
            break;
          case 'readRefill':
            reply = await call('GET', `/refills/${refill.body.id}`);
            break;
          case 'sweep':
            await sandbox.sweep();
            return;
          case 'advanceOrder':
            reply = await call('POST', `/sandbox/orders/${orderIds[step.order]}/advance`);
            seeOrder(reply.body);
            break;
          case 'cancel':
            reply = await call('DELETE', `/orders/${orderIds[step.order]}`);
            break;
          case 'advanceClock':
            reply = await call('POST', '/sandbox/clock/advance', { seconds: 3_600 });
            break;
          case 'reset':
            reply = await call('POST', '/sandbox/reset');
            break;
        }
        statuses.push(reply.status);
      };

      store.scheduler = s;
      await s.waitFor(Promise.all(operations.map((step) => run(step))));
      store.scheduler = undefined;
      await sandbox.sweep();

      expect(statuses.filter((status) => status >= 500), 'no request failed').toEqual([]);
      for (const [orderId, seen] of trackingNumbers) expect([...seen], `tracking numbers of ${orderId}`).toHaveLength(1);
      const eventIds = new Map<string, Set<string>>();
      for (const { id, type, subject } of sent) {
        const ids = eventIds.get(`${type} ${subject}`) ?? new Set<string>();
        ids.add(id);
        eventIds.set(`${type} ${subject}`, ids);
      }
      for (const [step, ids] of eventIds) expect([...ids], `events for ${step}`).toHaveLength(1);
      for (const { type, subject, status } of sent) {
        // Each event tells the status its own step reached, even when one call applied several steps.
        const table = type.startsWith('order.') ? ORDER_LIFECYCLE : REFILL_LIFECYCLE;
        expect(status, `${type} about ${subject}`).toBe(statusOfEvent(table as typeof ORDER_LIFECYCLE, type));
      }
      for (const orderId of orderIds) {
        const history = await call('GET', `/sandbox/orders/${orderId}/history`);
        if (history.status === 404) continue;
        const changes = (history.body.history as Array<{ status: string }>).map((change) => change.status);
        expect(new Set(changes).size, `history of ${orderId}: ${changes.join(' → ')}`).toBe(changes.length);
      }
      sandbox.close();
    }), { numRuns: 150 });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order, OrderStatus } from '../api-types.ts';
import { isoTime } from '../clock.ts';
import { createSandbox, type Sandbox } from '../sandbox.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { DEFAULT_TIMELINE, ORDER_LIFECYCLE } from '../lifecycle/order-lifecycle.ts';
import { automaticStep, stepBetween } from '../lifecycle/table.ts';
import { FULFILMENT_PATH } from './orders.ts';
import type { StatusChange } from './records.ts';
import { TEST_ORDER_ID } from './test-data.ts';
import { isValidTrackingNumber } from './tracking.ts';

const START = Date.parse('2025-02-03T15:00:00Z');
const TENANT = 'key_property';
const DAY_S = 86_400;

type Command =
  | { kind: 'create'; prescriptionId: string }
  | { kind: 'cancel'; pick: number }
  | { kind: 'advanceOrder'; pick: number; to?: OrderStatus }
  | { kind: 'advanceClock'; seconds: number }
  | { kind: 'read'; pick: number };

const pick = fc.nat({ max: 1_000 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), prescriptionId: fc.constantFrom('rx_test_001', 'rx_test_hold', 'rx_test_unfillable') }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('advanceOrder' as const), pick, to: fc.constantFrom('processing', 'shipped', 'delivered') }, { requiredKeys: ['kind', 'pick'] }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('advanceClock' as const),
      seconds: fc.oneof(fc.constantFrom(1, 3_599, 3_600, DAY_S, 3 * DAY_S, 5 * DAY_S), fc.integer({ min: 1, max: 6 * DAY_S })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), pick }), weight: 1 },
);

interface Reply {
  status: number;
  body: any;
}

/** A virtual-clock sandbox driven only through HTTP, with the raw store kept for inspection. */
class World {
  readonly store = new MemoryStore();
  readonly sandbox: Sandbox = createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false, store: this.store });
  readonly ids: string[] = [TEST_ORDER_ID];
  /** Each order as last seen, with its history. */
  readonly seen = new Map<string, { order: Order; history: StatusChange[] }>();
  now = START;

  async call(method: string, path: string, body?: unknown): Promise<Reply> {
    const response = await this.sandbox.request(path, {
      method,
      headers: { 'X-API-Key': TENANT, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  idFor(index: number): string {
    return this.ids[index % this.ids.length]!;
  }

  /** Runs one command and checks its answer against the order as last seen. */
  async execute(step: Command): Promise<void> {
    switch (step.kind) {
      case 'create': {
        const reply = await this.call('POST', '/orders', {
          patientId: 'pat_test_001', prescriptionId: step.prescriptionId,
          shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
        });
        expect(reply.status).toBe(201);
        expect(reply.body).toMatchObject({ status: 'pending', createdAt: isoTime(this.now) });
        this.ids.push(reply.body.id);
        return;
      }
      case 'cancel': {
        const id = this.idFor(step.pick);
        const before = this.seen.get(id)!.order;
        const reply = await this.call('DELETE', `/orders/${id}`);
        expectNoServerError(reply);
        if (before.status === 'cancelled') expect([reply.status, reply.body]).toEqual([200, before]);
        else if (id === TEST_ORDER_ID) expect([reply.status, reply.body.error?.code]).toEqual([409, 'order_not_cancellable']);
        else if (before.status === 'pending' || before.status === 'processing') expect([reply.status, reply.body.status]).toEqual([200, 'cancelled']);
        else expect([reply.status, reply.body.error?.code]).toEqual([409, 'order_not_cancellable']);
        return;
      }
      case 'advanceOrder': {
        const id = this.idFor(step.pick);
        const from = FULFILMENT_PATH.indexOf(this.seen.get(id)!.order.status);
        const target = step.to === undefined ? from + 1 : FULFILMENT_PATH.indexOf(step.to);
        const reply = await this.call('POST', `/sandbox/orders/${id}/advance`, step.to === undefined ? undefined : { to: step.to });
        expectNoServerError(reply);
        if (id === TEST_ORDER_ID || from === -1 || target <= from || target >= FULFILMENT_PATH.length) {
          expect([reply.status, reply.body.error?.code]).toEqual([409, 'invalid_state_transition']);
        } else {
          expect([reply.status, reply.body.status]).toEqual([200, FULFILMENT_PATH[target]]);
        }
        return;
      }
      case 'advanceClock': {
        const reply = await this.call('POST', '/sandbox/clock/advance', { seconds: step.seconds });
        this.now += step.seconds * 1000;
        expect([reply.status, reply.body.now]).toEqual([200, isoTime(this.now)]);
        return;
      }
      case 'read': {
        const id = this.idFor(step.pick);
        const reply = await this.call('GET', `/orders/${id}`);
        // The clock has not moved since the last check, so nothing may have changed.
        expect([reply.status, reply.body]).toEqual([200, this.seen.get(id)!.order]);
        return;
      }
    }
  }

  /** The rules every order obeys at every moment, checked first in the raw store, then through HTTP. */
  async checkInvariants(): Promise<void> {
    for (const id of this.ids) {
      const stored = (await this.store.getOrder(TENANT, id))!;
      // Every change due by now was applied when the clock moved, with no read needed.
      const step = stored.frozen ? undefined : automaticStep(ORDER_LIFECYCLE, stored.order.status, stored.outcome);
      if (step !== undefined) {
        expect(Date.parse(stored.history.at(-1)!.at) + step.after!(DEFAULT_TIMELINE), `${id} has an overdue ${step.to}`).toBeGreaterThan(this.now);
      }
    }
    for (const id of this.ids) {
      const read = await this.call('GET', `/orders/${id}`);
      const historyReply = await this.call('GET', `/sandbox/orders/${id}/history`);
      expectNoServerError(read);
      expectNoServerError(historyReply);
      const order: Order = read.body;
      const history: StatusChange[] = historyReply.body.history;
      expectOrderRules(order, history, this.now);
      const earlier = this.seen.get(id);
      if (earlier !== undefined) {
        // History only grows, and a tracking number never changes once given.
        expect(history.slice(0, earlier.history.length)).toEqual(earlier.history);
        if (earlier.order.trackingNumber !== undefined) expect(order.trackingNumber).toBe(earlier.order.trackingNumber);
      }
      this.seen.set(id, { order, history });
    }
  }
}

function expectNoServerError(reply: Reply): void {
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
}

function expectOrderRules(order: Order, history: StatusChange[], now: number): void {
  expect(history[0]!.status).toBe('pending');
  for (let i = 1; i < history.length; i++) {
    const [from, to] = [history[i - 1]!, history[i]!];
    expect(stepBetween(ORDER_LIFECYCLE, from.status, to.status), `${order.id}: ${from.status} → ${to.status}`).toBeDefined();
    expect(Date.parse(to.at), `${order.id}: ${to.status} dated before ${from.status}`).toBeGreaterThanOrEqual(Date.parse(from.at));
  }
  expect(Date.parse(history.at(-1)!.at)).toBeLessThanOrEqual(now);
  expect(order.status).toBe(history.at(-1)!.status);
  expect(order.updatedAt).toBe(history.at(-1)!.at);

  const statuses = history.map((change) => change.status);
  const shippedAt = statuses.indexOf('shipped');
  if (shippedAt !== -1) expect(statuses.slice(shippedAt)).not.toContain('cancelled');
  const shipsNow = order.status === 'shipped' || order.status === 'delivered';
  expect(shippedAt !== -1 && shipsNow, `${order.id} is ${order.status}`).toBe(shippedAt !== -1);
  if (shippedAt !== -1 && shipsNow) {
    expect(isValidTrackingNumber(order.trackingNumber ?? '')).toBe(true);
    expect(order.estimatedDeliveryDate! > history[shippedAt]!.at.slice(0, 10)).toBe(true);
  } else {
    expect(order).not.toHaveProperty('trackingNumber');
    expect(order).not.toHaveProperty('estimatedDeliveryDate');
  }
}

describe('orders under random create, cancel, advance and read', () => {
  it('never break the state machine\'s rules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const world = new World();
        expect((await world.call('GET', '/sandbox/clock')).status).toBe(200); // the tenant's first request sets it up
        await world.checkInvariants();
        for (const step of commands) {
          await world.execute(step);
          await world.checkInvariants();
        }
      }),
      { numRuns: 80 },
    );
  });
});

import { defineCheck, type CheckContext } from '../kit/check.ts';
import { orderOf, type Client, type Order, type SandboxClock } from '../kit/client.ts';
import type { Exchange } from '../kit/exchange.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { pollOrder, reached } from '../kit/lifecycle.ts';
import { createOrder } from '../kit/steps.ts';
import { verifyTrackingNumber } from '../kit/tracking.ts';

const FIVE_DAYS_S = 5 * 24 * 60 * 60;
/** The clock answers in whole seconds; the kit allows that much rounding. */
const CLOCK_ROUNDING_MS = 1000;

const clockOf = (exchange: Exchange) => exchange.json as SandboxClock;
const hasTracking = (order: Order) => order.trackingNumber != null || order.estimatedDeliveryDate != null;

export const clockAdvanceDeliversOrders = defineCheck(
  'lifecycle/advancing-the-clock-five-days-delivers-a-new-order',
  'POST /sandbox/clock/advance {"seconds":432000} applies every change falling due before it answers: the clock is five days on and a new order is delivered '
    + '(without the clock helper: a new order is delivered within NIMBUS_LIFECYCLE_TIMEOUT)',
  async (context) => {
    if (!context.capabilities.sandboxClock.offered) {
      const api = context.client();
      const { exchange: created, order } = await createOrder(api);
      await pollOrder(context, api, order.id, (now) => now.status === 'delivered', 'a new order to be delivered', 'sandboxClock', created);
      return;
    }
    const api = context.isolatedClient('it moves its clock');
    const { exchange: created, order } = await createOrder(api);
    const before = await api.getClock();
    expectStatus(before, 200, 'reading the clock', created);
    const advanced = await api.advanceClock(FIVE_DAYS_S);
    expectStatus(advanced, 200, 'advancing the clock five days', created, before);
    const moved = Date.parse(clockOf(advanced).now) - Date.parse(clockOf(before).now);
    ensure(moved >= FIVE_DAYS_S * 1000 - CLOCK_ROUNDING_MS, `the clock moved ${moved} ms, not five days`, before, advanced);
    const read = await api.getOrder(order.id);
    expectEqual(orderOf(read).status, 'delivered', 'status of an order created five days before, right after the clock advance', created, advanced, read);
  },
);

/** A new order moved to shipped (or, polling, to shipped or delivered), with the exchanges that got it there. */
async function shippedOrder(context: CheckContext): Promise<{ shipped: Exchange; steps: Exchange[]; api: Client }> {
  const api = context.client();
  const { exchange: created, order } = await createOrder(api);
  if (context.capabilities.sandboxAdvance.offered) {
    const shipped = await api.advanceOrder(order.id, 'shipped');
    expectStatus(shipped, 200, 'advancing a new order to shipped', created);
    expectEqual(orderOf(shipped).status, 'shipped', 'status after advancing a new order to shipped', created, shipped);
    return { shipped, steps: [created], api };
  }
  const reads = await pollOrder(context, api, order.id, (now) => reached(now.status, 'shipped'), 'a new order to ship', 'sandboxAdvance', created);
  return { shipped: reads.at(-1)!, steps: [created], api };
}

export const shippedOrderHasTracking = defineCheck(
  'lifecycle/shipped-order-has-a-valid-tracking-number-and-delivery-date',
  'A shipped order carries a trackingNumber in a published carrier format (UPS 1Z…, FedEx 12 digits, USPS 22 digits) whose check digit verifies, '
    + 'and an estimatedDeliveryDate; reading it back gives the same',
  async (context) => {
    const { shipped, steps, api } = await shippedOrder(context);
    const order = orderOf(shipped);
    ensure(typeof order.trackingNumber === 'string', `a ${order.status} order has no trackingNumber`, ...steps, shipped);
    const verdict = verifyTrackingNumber(order.trackingNumber);
    ensure(verdict.problem === undefined, `trackingNumber ${JSON.stringify(order.trackingNumber)} is not a valid tracking number: ${verdict.problem}`, ...steps, shipped);
    ensure(typeof order.estimatedDeliveryDate === 'string', `a ${order.status} order has no estimatedDeliveryDate`, ...steps, shipped);
    ensure(order.estimatedDeliveryDate >= order.createdAt.slice(0, 10),
      `estimatedDeliveryDate ${order.estimatedDeliveryDate} is before the order was created (${order.createdAt})`, ...steps, shipped);
    const read = await api.getOrder(order.id);
    expectEqual([orderOf(read).trackingNumber, orderOf(read).estimatedDeliveryDate], [order.trackingNumber, order.estimatedDeliveryDate],
      'trackingNumber and estimatedDeliveryDate read back', ...steps, shipped, read);
  },
);

export const noTrackingBeforeShipping = defineCheck(
  'lifecycle/orders-before-shipping-have-no-tracking-number-or-delivery-date',
  'A pending or processing order has neither trackingNumber nor estimatedDeliveryDate',
  async (context) => {
    const api = context.client();
    const { exchange: created, order } = await createOrder(api);
    ensure(!hasTracking(order), 'a pending order has a trackingNumber or an estimatedDeliveryDate', created);
    let seen: Exchange[];
    if (context.capabilities.sandboxAdvance.offered) {
      const advanced = await api.advanceOrder(order.id, 'processing');
      expectStatus(advanced, 200, 'advancing a new order to processing', created);
      expectEqual(orderOf(advanced).status, 'processing', 'status after advancing a new order to processing', created, advanced);
      seen = [advanced, await api.getOrder(order.id)];
    } else {
      seen = await pollOrder(context, api, order.id, (now) => now.status !== 'pending', 'a new order to leave pending', 'sandboxAdvance', created);
    }
    for (const exchange of seen) {
      const now = orderOf(exchange);
      if (now.status === 'pending' || now.status === 'processing') {
        ensure(!hasTracking(now), `a ${now.status} order has a trackingNumber or an estimatedDeliveryDate`, created, exchange);
      }
    }
  },
);

export const updatedAtNeverGoesBack = defineCheck(
  'lifecycle/updated-at-never-goes-back',
  'As an order moves pending → processing → shipped → delivered, updatedAt never goes back, and is never before createdAt',
  async (context) => {
    const api = context.client();
    const { exchange: created, order } = await createOrder(api);
    const seen: Exchange[] = [created];
    if (context.capabilities.sandboxAdvance.offered) {
      for (const status of ['processing', 'shipped', 'delivered'] as const) {
        const advanced = await api.advanceOrder(order.id);
        expectStatus(advanced, 200, `advancing the order (to ${status})`, ...seen);
        seen.push(advanced, await api.getOrder(order.id));
      }
    } else {
      seen.push(...await pollOrder(context, api, order.id, (now) => now.status === 'delivered', 'a new order to be delivered', 'sandboxAdvance', created));
    }
    for (const [index, exchange] of seen.entries()) {
      const { updatedAt, createdAt } = orderOf(exchange);
      ensure(Date.parse(updatedAt) >= Date.parse(createdAt), `updatedAt ${updatedAt} is before createdAt ${createdAt}`, created, exchange);
      const previous = seen[index - 1];
      if (previous === undefined) continue;
      ensure(Date.parse(updatedAt) >= Date.parse(orderOf(previous).updatedAt),
        `updatedAt went back from ${orderOf(previous).updatedAt} to ${updatedAt}`, ...seen.slice(0, index + 1));
    }
  },
);

export const advancingBackwardsIs409 = defineCheck(
  'lifecycle/advancing-to-a-status-not-ahead-is-409-invalid-state-transition',
  'POST /sandbox/orders/{orderId}/advance to the order\'s own status or one behind it answers 409 invalid_state_transition and leaves the order as it was',
  async ({ client, require }) => {
    require('sandboxAdvance');
    const api = client();
    const { exchange: created, order } = await createOrder(api);
    const shipped = await api.advanceOrder(order.id, 'shipped');
    expectStatus(shipped, 200, 'advancing a new order to shipped', created);
    expectError(await api.advanceOrder(order.id, 'processing'), 409, 'invalid_state_transition', 'advancing a shipped order to processing', created, shipped);
    expectError(await api.advanceOrder(order.id, 'shipped'), 409, 'invalid_state_transition', 'advancing a shipped order to shipped', created, shipped);
    const read = await api.getOrder(order.id);
    expectEqual(orderOf(read).status, 'shipped', 'status read back after the refused advances', created, shipped, read);
  },
);

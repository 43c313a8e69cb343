import { defineCheck, type CheckContext } from '../kit/check.ts';
import { orderOf, type Client, type Order, type SandboxClock } from '../kit/client.ts';
import type { Exchange } from '../kit/exchange.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { pollOrder, reached } from '../kit/lifecycle.ts';
import { magicValues } from '../kit/spec.ts';
import { createOrder, guideOrder } from '../kit/steps.ts';
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

const HOUR_S = 60 * 60;
/** Clock steps through an order's life at the documented pace: processing within an hour, shipped a day later, delivered within five days. */
const LIFE_STEPS_S = [2 * HOUR_S, 26 * HOUR_S, FIVE_DAYS_S - 28 * HOUR_S];

/** One read of the order, with the target's clock when known and whether time was moved on since the read before. */
interface Sighting {
  read: Exchange;
  /** The clock advance that came before the read, if any. */
  advance?: Exchange;
  clockNow?: number;
  timeMoved: boolean;
}

/** A new order followed to delivered: through clock advances, status advances, or polling, in that order of preference. */
async function followToDelivery(context: CheckContext): Promise<{ created: Exchange; sightings: Sighting[] }> {
  if (context.capabilities.sandboxClock.offered) {
    const api = context.isolatedClient('it moves its clock');
    const { exchange: created } = await createOrder(api);
    const sightings: Sighting[] = [{ read: created, timeMoved: false }];
    for (const seconds of LIFE_STEPS_S) {
      const advanced = await api.advanceClock(seconds);
      expectStatus(advanced, 200, `advancing the clock ${seconds} s`, created);
      sightings.push({ read: await api.getOrder(orderOf(created).id), advance: advanced, clockNow: Date.parse(clockOf(advanced).now), timeMoved: true });
    }
    return { created, sightings };
  }
  const api = context.client();
  const { exchange: created, order } = await createOrder(api);
  if (context.capabilities.sandboxAdvance.offered) {
    const sightings: Sighting[] = [{ read: created, timeMoved: false }];
    for (const status of ['processing', 'shipped', 'delivered'] as const) {
      const advanced = await api.advanceOrder(order.id, status);
      expectStatus(advanced, 200, `advancing the order to ${status}`, created);
      sightings.push({ read: advanced, timeMoved: false }, { read: await api.getOrder(order.id), timeMoved: false });
    }
    return { created, sightings };
  }
  const reads = await pollOrder(context, api, order.id, (now) => now.status === 'delivered', 'a new order to be delivered', 'sandboxAdvance', created);
  return { created, sightings: [created, ...reads].map((read) => ({ read, timeMoved: false })) };
}

/** What is wrong with this sighting, given the one before and the first that showed the order shipped; undefined when nothing. */
function lifeProblem(now: Sighting, before: Sighting, first: Order, shippedAs: Order | undefined): string | undefined {
  const order = orderOf(now.read);
  const previous = orderOf(before.read);
  const at = (time: string) => Date.parse(time);
  if (order.createdAt !== first.createdAt) return `createdAt changed from ${first.createdAt} to ${order.createdAt}`;
  if (at(order.updatedAt) < at(order.createdAt)) return `updatedAt ${order.updatedAt} is before createdAt ${order.createdAt}`;
  if (now.clockNow !== undefined && at(order.updatedAt) > now.clockNow + CLOCK_ROUNDING_MS) return `updatedAt ${order.updatedAt} is after the target's clock (${new Date(now.clockNow).toISOString()})`;
  if (!reached(order.status, previous.status)) return `the status went back from ${previous.status} to ${order.status}`;
  if (order.status === previous.status && order.updatedAt !== previous.updatedAt) return `updatedAt moved from ${previous.updatedAt} to ${order.updatedAt} while the order stayed ${order.status}`;
  if (order.status !== previous.status && at(order.updatedAt) < at(previous.updatedAt)) return `updatedAt went back from ${previous.updatedAt} to ${order.updatedAt}`;
  if (order.status !== previous.status && now.timeMoved && order.updatedAt === previous.updatedAt) {
    return `the order went from ${previous.status} to ${order.status} hours later by the target's clock, yet updatedAt stayed ${order.updatedAt}`;
  }
  const shipped = reached(order.status, 'shipped');
  if (!shipped) return hasTracking(order) ? `a ${order.status} order has a trackingNumber or an estimatedDeliveryDate` : undefined;
  if (typeof order.trackingNumber !== 'string' || typeof order.estimatedDeliveryDate !== 'string') return `a ${order.status} order lacks its trackingNumber or estimatedDeliveryDate`;
  if (shippedAs !== undefined && (order.trackingNumber !== shippedAs.trackingNumber || order.estimatedDeliveryDate !== shippedAs.estimatedDeliveryDate)) {
    return `trackingNumber and estimatedDeliveryDate changed from ${shippedAs.trackingNumber} ${shippedAs.estimatedDeliveryDate} to ${order.trackingNumber} ${order.estimatedDeliveryDate}`;
  }
  if (order.status === 'shipped' && order.estimatedDeliveryDate < order.updatedAt.slice(0, 10)) {
    return `estimatedDeliveryDate ${order.estimatedDeliveryDate} is before the order shipped (updatedAt ${order.updatedAt})`;
  }
  return undefined;
}

const MAX_SHOWN = 8;

/** The exchanges that lead to the last sighting: all of them when few, else the creation and the last two reads. */
function reproduction(sightings: Sighting[]): Exchange[] {
  const all = sightings.flatMap(({ advance, read }) => (advance === undefined ? [read] : [advance, read]));
  return all.length <= MAX_SHOWN ? all : [all[0]!, ...all.slice(-2)];
}

export const datesAndTrackingFollowTheOrder = defineCheck(
  'lifecycle/an-orders-dates-and-tracking-make-sense-from-creation-to-delivery',
  'Read after each step from creation to delivered: createdAt never changes; createdAt ≤ updatedAt ≤ the target\'s clock; updatedAt moves exactly when the status does '
    + '(later when time passed); trackingNumber and estimatedDeliveryDate are absent before shipped, present from shipped on and never change; '
    + 'the estimated delivery is not before the day the order shipped',
  async (context) => {
    const { created, sightings } = await followToDelivery(context);
    const first = orderOf(created);
    let shippedAs: Order | undefined;
    for (const [index, sighting] of sightings.entries()) {
      const before = sightings[Math.max(0, index - 1)]!;
      const problem = lifeProblem(sighting, before, first, shippedAs);
      ensure(problem === undefined, problem ?? '', ...reproduction(sightings.slice(0, index + 1)));
      if (shippedAs === undefined && reached(orderOf(sighting.read).status, 'shipped')) shippedAs = orderOf(sighting.read);
    }
    expectEqual(orderOf(sightings.at(-1)!.read).status, 'delivered', 'status at the end of the order\'s life', created, sightings.at(-1)!.read);
  },
);

/** The prescription CreateOrderRequest's `x-nimbus-magic-values` gives this pharmacy-side outcome. */
const outcomePrescription = (outcome: string) => magicValues('CreateOrderRequest').find((magic) => magic.field === 'prescriptionId' && magic.outcome === outcome);

export const heldAndUnfillableOrders = defineCheck(
  'lifecycle/held-and-unfillable-orders-end-as-documented',
  'Orders for the prescriptions the spec documents with outcome held and unfillable (x-nimbus-magic-values), once an ordinary order beside them is delivered '
    + '(five days on the clock, or polled within NIMBUS_LIFECYCLE_TIMEOUT): the held one is still processing, the unfillable one cancelled, neither with tracking',
  async (context) => {
    const held = outcomePrescription('held');
    const unfillable = outcomePrescription('unfillable');
    if (held === undefined || unfillable === undefined) return context.skip('the spec documents no prescription with outcome held or unfillable');
    const viaClock = context.capabilities.sandboxClock.offered;
    const api = viaClock ? context.isolatedClient('it moves its clock') : context.client();
    const { exchange: ordinary } = await createOrder(api);
    const { exchange: heldCreated } = await createOrder(api, { ...guideOrder(), prescriptionId: held.value });
    const { exchange: unfillableCreated } = await createOrder(api, { ...guideOrder(), prescriptionId: unfillable.value });
    const steps = [ordinary, heldCreated, unfillableCreated];
    if (viaClock) {
      const later = await api.advanceClock(FIVE_DAYS_S);
      expectStatus(later, 200, 'advancing the clock five days', ...steps);
      steps.push(later);
    } else {
      const reads = await pollOrder(context, api, orderOf(ordinary).id, (now) => now.status === 'delivered', 'an ordinary order to be delivered', 'sandboxClock', ...steps);
      steps.push(reads.at(-1)!);
    }
    for (const [created, status, magic] of [[heldCreated, 'processing', held], [unfillableCreated, 'cancelled', unfillable]] as const) {
      const read = await api.getOrder(orderOf(created).id);
      const now = orderOf(read);
      expectEqual({ status: now.status, trackingNumber: now.trackingNumber ?? null, estimatedDeliveryDate: now.estimatedDeliveryDate ?? null },
        { status, trackingNumber: null, estimatedDeliveryDate: null }, `the order for ${magic.value} (${magic.description})`, ...steps, read);
    }
  },
);

import { defineCheck } from '../kit/check.ts';
import { orderOf } from '../kit/client.ts';
import { expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { createOrder, findOrderInStatus } from '../kit/steps.ts';

export const pendingOrderCanBeCancelled = defineCheck(
  'cancellation/pending-order-can-be-cancelled',
  'DELETE /orders/{orderId} of a pending order answers 200 with the order cancelled, and it stays cancelled',
  async ({ client, require }) => {
    require('cancel');
    const api = client();
    const { exchange: created, order } = await createOrder(api);
    const cancelled = await api.cancelOrder(order.id);
    expectStatus(cancelled, 200, 'cancelling a pending order', created);
    expectEqual(orderOf(cancelled).status, 'cancelled', 'status after cancelling', created, cancelled);
    const read = await api.getOrder(order.id);
    expectEqual(orderOf(read).status, 'cancelled', 'status read back after cancelling', created, cancelled, read);
  },
);

export const processingOrderCanBeCancelled = defineCheck(
  'cancellation/processing-order-can-be-cancelled',
  'DELETE /orders/{orderId} of a processing order answers 200 with the order cancelled',
  async (context) => {
    context.require('cancel');
    const api = context.isolatedClient('cancels a processing order, possibly the published one');
    const order = await findOrderInStatus(context, api, ['processing']);
    if (order === undefined) return context.skip('the tenant has no processing order and the target offers no way to advance one');
    const cancelled = await api.cancelOrder(order.id);
    expectStatus(cancelled, 200, `cancelling the processing order ${order.id}`);
    expectEqual(orderOf(cancelled).status, 'cancelled', 'status after cancelling', cancelled);
  },
);

export const cancellingTwiceChangesNothing = defineCheck(
  'cancellation/cancelling-a-cancelled-order-returns-it-unchanged',
  'DELETE of an order already cancelled answers 200 with the order exactly as it was',
  async ({ client, require }) => {
    require('cancel');
    const api = client();
    const { exchange: created, order } = await createOrder(api);
    const first = await api.cancelOrder(order.id);
    expectStatus(first, 200, 'cancelling a pending order', created);
    const second = await api.cancelOrder(order.id);
    expectStatus(second, 200, 'cancelling it again', created, first);
    expectEqual(second.json, first.json, 'the order on the second cancel', created, first, second);
  },
);

export const shippedOrderCannotBeCancelled = defineCheck(
  'cancellation/shipped-or-delivered-order-is-409-order-not-cancellable',
  'DELETE of a shipped or delivered order answers 409 order_not_cancellable and leaves the order as it was',
  async (context) => {
    context.require('cancel');
    const api = context.client();
    const order = await findOrderInStatus(context, api, ['shipped', 'delivered']);
    if (order === undefined) return context.skip('the tenant has no shipped or delivered order and the target offers no way to advance one');
    const refused = await api.cancelOrder(order.id);
    expectError(refused, 409, 'order_not_cancellable', `cancelling the ${order.status} order ${order.id}`);
    const read = await api.getOrder(order.id);
    expectEqual(orderOf(read).status, order.status, 'status read back after the refused cancel', refused, read);
  },
);

export const unknownOrderCancelIs404 = defineCheck(
  'cancellation/cancelling-an-unknown-order-is-404-not-found',
  'DELETE /orders/{orderId} of an order the key does not have answers 404 not_found',
  async ({ client, require }) => {
    require('cancel');
    expectError(await client().cancelOrder('ord_contractMissing0000000000'), 404, 'not_found', 'cancelling an order that does not exist');
  },
);

const FIVE_DAYS_S = 5 * 24 * 60 * 60;

export const cancelledOrderStaysCancelled = defineCheck(
  'cancellation/a-cancelled-order-stays-cancelled-as-time-passes',
  'A pending order cancelled and then left five days on the target\'s clock (when a live one would be delivered) is still cancelled, '
    + 'with no trackingNumber or estimatedDeliveryDate and the updatedAt of its cancellation',
  async ({ isolatedClient, require }) => {
    require('cancel');
    require('sandboxClock');
    const api = isolatedClient('it moves its clock');
    const { exchange: created, order } = await createOrder(api);
    const cancelled = await api.cancelOrder(order.id);
    expectStatus(cancelled, 200, 'cancelling a pending order', created);
    const later = await api.advanceClock(FIVE_DAYS_S);
    expectStatus(later, 200, 'advancing the clock five days', created, cancelled);
    const read = await api.getOrder(order.id);
    const { status, trackingNumber, estimatedDeliveryDate, updatedAt } = orderOf(read);
    // Absent or null: the published Order makes both nullable.
    expectEqual({ status, trackingNumber: trackingNumber ?? null, estimatedDeliveryDate: estimatedDeliveryDate ?? null, updatedAt },
      { status: 'cancelled', trackingNumber: null, estimatedDeliveryDate: null, updatedAt: orderOf(cancelled).updatedAt },
      'the cancelled order five days later', created, cancelled, later, read);
  },
);

import { isDeepStrictEqual } from 'node:util';
import { defineCheck } from '../kit/check.ts';
import { orderOf } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { moveOrder } from '../kit/lifecycle.ts';
import { createOrder, guideOrder } from '../kit/steps.ts';

export const createAnswers201WithLocation = defineCheck(
  'orders/create-answers-201-with-a-location-that-serves-the-order',
  'POST /orders answers 201 with the Order and a Location header; GET of that Location returns the same order',
  async ({ client }) => {
    const api = client();
    const created = await api.createOrder(guideOrder());
    expectStatus(created, 201, 'creating the guide\'s order');
    const location = created.headers.get('location');
    ensure(location === `/orders/${orderOf(created).id}`, `Location ${JSON.stringify(location)} does not name the new order ${orderOf(created).id}`, created);
    const read = await api.send({ method: 'GET', path: location });
    expectStatus(read, 200, 'reading the new order at its Location', created);
    expectEqual(read.json, created.json, 'the order read back from its Location', created, read);
  },
);

export const createdOrderReflectsTheRequest = defineCheck(
  'orders/new-order-is-pending-and-reflects-the-request',
  'A new order is pending, carries the request\'s patient, prescription and address (country defaulting to US), and no tracking yet',
  async ({ client }) => {
    const { street1, city, state, zip } = guideOrder().shippingAddress;
    const request = { ...guideOrder(), shippingAddress: { street1, street2: 'Apt 4B', city, state, zip } };
    const { exchange, order } = await createOrder(client(), request);
    expectEqual(order.status, 'pending', 'status of a new order', exchange);
    expectEqual(
      { patientId: order.patientId, prescriptionId: order.prescriptionId, shippingAddress: order.shippingAddress },
      { patientId: request.patientId, prescriptionId: request.prescriptionId, shippingAddress: { ...request.shippingAddress, country: 'US' } },
      'the new order\'s patient, prescription and address', exchange,
    );
    ensure(order.trackingNumber == null && order.estimatedDeliveryDate == null, 'a pending order already has tracking or a delivery date', exchange);
  },
);

export const unknownOrderIs404 = defineCheck(
  'orders/unknown-order-is-404-not-found',
  'GET /orders/{orderId} of an order the key does not have answers 404 not_found',
  async ({ client }) => {
    const read = await client().getOrder('ord_contractMissing0000000000');
    expectError(read, 404, 'not_found', 'reading an order that does not exist');
  },
);

export const everyAnswerHasItsOwnRequestId = defineCheck(
  'orders/every-answer-has-its-own-request-id',
  'Every answer carries its own X-Request-Id',
  async ({ client }) => {
    const api = client();
    const { exchange: created } = await createOrder(api);
    const read = await api.getOrder(orderOf(created).id);
    ensure(created.headers.get('x-request-id') !== read.headers.get('x-request-id'), 'two answers share one X-Request-Id', created, read);
  },
);

const CONCURRENT_READS = 5;

export const concurrentReadsAgree = defineCheck(
  'orders/concurrent-reads-of-an-order-agree-on-status-and-tracking-number',
  `${CONCURRENT_READS} GET /orders/{orderId} of one shipped order sent at once all answer 200 with the same status and trackingNumber`,
  async (context) => {
    const api = context.client();
    const { exchange: created, order } = await createOrder(api);
    const shipped = await moveOrder(context, api, order.id, 'shipped', created);
    const reads = await Promise.all(Array.from({ length: CONCURRENT_READS }, () => api.getOrder(order.id)));
    for (const read of reads) expectStatus(read, 200, `one of ${CONCURRENT_READS} reads sent at once`, created, shipped);
    const seen = reads.map((read) => ({ status: orderOf(read).status, trackingNumber: orderOf(read).trackingNumber ?? null }));
    ensure(seen.every((one) => isDeepStrictEqual(one, seen[0])),
      `${CONCURRENT_READS} reads sent at once disagree: ${seen.map((one) => `${one.status} ${one.trackingNumber}`).join(' | ')}`, created, shipped, ...reads);
  },
);

import { setTimeout as delay } from 'node:timers/promises';
import { CAPABILITY_NAMES } from '../kit/capabilities.ts';
import { defineCheck, type CheckContext } from '../kit/check.ts';
import { orderOf, refillOf } from '../kit/client.ts';
import type { Exchange } from '../kit/exchange.ts';
import { ensure, expectEqual, expectStatus } from '../kit/expect.ts';
import { moveOrder } from '../kit/lifecycle.ts';
import { startReceiver, type Delivery } from '../kit/receiver.ts';
import { createOrder, exampleRefill } from '../kit/steps.ts';
import {
  awaitDelivery, deliveriesAbout, deliveryLog, describeDeliveries, eventOf, schemaProblem, signatureVerifies, webhookWaitMs, withWebhookEndpoint,
  type WebhookSession,
} from '../kit/webhooks.ts';

/*
 * What a target actually posts to a webhook endpoint: the kit runs a receiver on loopback (or
 * --receiver-host), registers it with POST /sandbox/webhook-endpoints, and watches an order's events.
 */

type Shipped = { created: Exchange; shipped: Exchange; createdEvent: Delivery; fulfilledEvent: Delivery };

/** Creates an order, ships it, and waits for its order.created and order.fulfilled. */
async function shipWithEvents(context: CheckContext, session: WebhookSession): Promise<Shipped> {
  const { api } = session;
  const { exchange: created, order } = await createOrder(api);
  const createdEvent = await awaitDelivery(context, session, 'order.created', order.id, created);
  const shipped = await moveOrder(context, api, order.id, 'shipped', created);
  const fulfilledEvent = await awaitDelivery(context, session, 'order.fulfilled', order.id, created, shipped);
  return { created, shipped, createdEvent, fulfilledEvent };
}

export const createdAndFulfilledArrive = defineCheck(
  'webhooks/order-created-and-order-fulfilled-arrive-for-an-order',
  'An endpoint registered with POST /sandbox/webhook-endpoints receives order.created for a new order (its orderId, patientId, prescriptionId, status pending) '
    + 'and, once it ships, order.fulfilled (status shipped, the order\'s trackingNumber and estimatedDeliveryDate)',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const { created, shipped, createdEvent, fulfilledEvent } = await shipWithEvents(context, session);
      const order = orderOf(created);
      const { orderId, patientId, prescriptionId, status } = eventOf(createdEvent).data;
      expectEqual({ orderId, patientId, prescriptionId, status }, { orderId: order.id, patientId: order.patientId, prescriptionId: order.prescriptionId, status: 'pending' },
        `order.created's data (the receiver got: ${describeDeliveries([createdEvent])})`, session.registered, created);
      const now = orderOf(shipped);
      const fulfilled = eventOf(fulfilledEvent).data;
      expectEqual(
        { orderId: fulfilled.orderId, trackingNumber: fulfilled.trackingNumber, estimatedDeliveryDate: fulfilled.estimatedDeliveryDate, status: fulfilled.status },
        { orderId: order.id, trackingNumber: now.trackingNumber, estimatedDeliveryDate: now.estimatedDeliveryDate, status: 'shipped' },
        'order.fulfilled\'s data against the shipped order', session.registered, created, shipped,
      );
    });
  },
);

export const eventBodiesMatchTheSpec = defineCheck(
  'webhooks/event-bodies-match-the-spec-schemas',
  'Each event body posted (order.created, order.fulfilled) is JSON matching the schema the spec\'s webhooks section gives its type, sent as application/json',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const { created, shipped } = await shipWithEvents(context, session);
      for (const delivery of deliveriesAbout(session, orderOf(created).id)) {
        const problem = schemaProblem(delivery);
        ensure(problem === undefined, `a ${eventOf(delivery)?.type ?? 'webhook'} body does not match the spec: ${problem}\n  body: ${delivery.body.slice(0, 600)}`,
          session.registered, created, shipped);
        const contentType = (delivery.headers['content-type'] ?? '').split(';')[0]!.trim();
        expectEqual(contentType, 'application/json', `Content-Type of ${eventOf(delivery).type}`, session.registered, created, shipped);
      }
    });
  },
);

export const signaturesVerify = defineCheck(
  'webhooks/signatures-verify-with-the-endpoint-secret',
  'Each event carries X-Webhook-Signature: the hex HMAC-SHA256 of the raw body keyed with the secret POST /sandbox/webhook-endpoints returned',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const { created, shipped } = await shipWithEvents(context, session);
      for (const delivery of deliveriesAbout(session, orderOf(created).id)) {
        const signature = delivery.headers['x-webhook-signature'];
        ensure(signatureVerifies(delivery.body, signature, session.endpoint.secret),
          `the ${eventOf(delivery).type} event's X-Webhook-Signature ${JSON.stringify(signature ?? null)} is not the HMAC-SHA256 of its body with the endpoint's secret`,
          session.registered, created, shipped);
      }
    });
  },
);

export const oneOrdersEventsArriveInOrder = defineCheck(
  'webhooks/one-orders-events-arrive-in-the-order-they-happened',
  'An order moved from pending to delivered has its events posted in order: order.created before order.fulfilled (each event id once, duplicates aside), '
    + 'and their createdAt never goes back',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      // Moved on before any event is awaited, so its events are due together.
      const { exchange: created, order } = await createOrder(api);
      const shipped = await moveOrder(context, api, order.id, 'shipped', created);
      const delivered = await moveOrder(context, api, order.id, 'delivered', created, shipped);
      await awaitDelivery(context, session, 'order.created', order.id, created, shipped, delivered);
      await awaitDelivery(context, session, 'order.fulfilled', order.id, created, shipped, delivered);
      const seen = new Set<string>();
      const events = deliveriesAbout(session, orderOf(created).id).map(eventOf).filter((event) => !seen.has(event.id) && seen.add(event.id));
      expectEqual(events.map((event) => event.type), ['order.created', 'order.fulfilled'],
        `the order's events as they arrived (${describeDeliveries(session.receiver.deliveries)})`, session.registered, created, shipped, delivered);
      const times = events.map((event) => Date.parse(event.createdAt));
      ensure(times.every((time, index) => index === 0 || time >= times[index - 1]!),
        `the events' createdAt go back: ${events.map((event) => `${event.type} ${event.createdAt}`).join(', ')}`, session.registered, created, shipped, delivered);
    });
  },
);

type LoggedAttempt = Awaited<ReturnType<typeof deliveryLog>>['attempts'][number];

/**
 * Waits until the endpoint's delivery log shows an attempt of `eventId`, so a clock advance cannot
 * race the target recording it; the last log read, and the attempt if it showed.
 */
async function logShowsAttempt(session: WebhookSession, eventId: string, waitMs: number): Promise<{ log: Exchange; attempt?: LoggedAttempt }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { log, attempts } = await deliveryLog(session);
    const attempt = attempts.find((logged) => logged.eventId === eventId);
    if (log.status !== 200 || attempt !== undefined || Date.now() >= deadline) return { log, attempt };
    await delay(20);
  }
}

const NO_DELIVERY_LOG = new Set([404, 405, 501]);

export const deliveryLogListsBodyAndSignature = defineCheck(
  'webhooks/the-delivery-log-lists-the-body-and-signature-sent',
  'GET /sandbox/webhook-endpoints/{endpointId}/deliveries lists, for an attempt, the body exactly as posted and the X-Webhook-Signature sent with it, '
    + 'so the listed signature verifies over the listed body with the endpoint\'s secret',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const { exchange: created, order } = await createOrder(api);
      const arrived = await awaitDelivery(context, session, 'order.created', order.id, created);
      const eventId = eventOf(arrived).id;
      const { log, attempt } = await logShowsAttempt(session, eventId, webhookWaitMs(context));
      const endpointPath = `/sandbox/webhook-endpoints/${session.endpoint.id}/deliveries`;
      if (NO_DELIVERY_LOG.has(log.status)) context.skip(`the target keeps no delivery log: GET ${endpointPath} answered ${log.status}`);
      expectStatus(log, 200, 'listing the endpoint\'s deliveries', session.registered, created);
      ensure(attempt !== undefined, `the delivery log does not list order.created ${eventId}, which the receiver got`, session.registered, created, log);
      ensure(typeof attempt.body === 'string' && typeof attempt.signature === 'string',
        `the delivery log lists order.created ${eventId} without its body and signature (strings)`, session.registered, created, log);
      ensure(signatureVerifies(attempt.body, attempt.signature, session.endpoint.secret),
        `the listed signature ${JSON.stringify(attempt.signature)} does not verify over the listed body with the endpoint's secret\n  listed body: ${attempt.body.slice(0, 600)}`,
        session.registered, created, log);
      expectEqual(attempt.body, arrived.body, 'the listed body against the body the receiver got', session.registered, created, log);
      expectEqual(attempt.signature, arrived.headers['x-webhook-signature'], 'the listed signature against the X-Webhook-Signature the receiver got', session.registered, created, log);
    });
  },
);

const RETRY_AFTER_S = 1;
/** POST /sandbox/clock/advance sends what falls due before it answers; this allows for a receiver slow to record it. */
const AFTER_ADVANCE_MS = 250;

export const failedDeliveryIsRetried = defineCheck(
  'webhooks/a-failed-delivery-is-retried',
  'An event the receiver answers with 500 is posted again, with the same event id and body, 1 s later on the target\'s clock '
    + '(brought forward with POST /sandbox/clock/advance; without it, waited for in real time within NIMBUS_LIFECYCLE_TIMEOUT)',
  async (context) => {
    const viaClock = context.capabilities.sandboxClock.offered;
    const waitMs = context.target.lifecycleTimeoutMs ?? 0;
    if (!viaClock && waitMs <= 0) {
      context.skip(`needs ${CAPABILITY_NAMES.sandboxClock} to bring a retry forward (${context.capabilities.sandboxClock.evidence}); `
        + 'set NIMBUS_LIFECYCLE_TIMEOUT (ms; --lifecycle-timeout) to wait for it in real time instead');
    }
    const api = viaClock ? context.isolatedClient('it moves its clock to bring a retry forward') : context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      let refusedOnce = false;
      session.receiver.respondWith(({ json }) => {
        if (refusedOnce || (json as { type?: unknown } | undefined)?.type !== 'order.created') return 200;
        refusedOnce = true;
        return 500;
      });
      const { exchange: created, order } = await createOrder(api);
      const first = await awaitDelivery(context, session, 'order.created', order.id, created);
      const eventId = eventOf(first).id;
      ensure(first.answered === 500, `the receiver answered ${first.answered} to the first order.created, not 500 (another order's came first)`, created);
      const steps = [session.registered, created];
      if (viaClock) {
        await logShowsAttempt(session, eventId, webhookWaitMs(context));
        const advanced = await api.advanceClock(RETRY_AFTER_S);
        expectStatus(advanced, 200, `advancing the clock ${RETRY_AFTER_S} s after the failed attempt`, ...steps);
        steps.push(advanced);
      }
      const retry = await session.receiver.waitFor((delivery) => delivery !== first && eventOf(delivery)?.id === eventId, viaClock ? AFTER_ADVANCE_MS : waitMs);
      ensure(retry !== undefined, `order.created ${eventId}, answered 500, was not posted again `
        + `${viaClock ? `once the clock was ${RETRY_AFTER_S} s on` : `within ${waitMs} ms (NIMBUS_LIFECYCLE_TIMEOUT)`}; the receiver got: ${describeDeliveries(session.receiver.deliveries)}`,
      ...steps);
      ensure(retry.body === first.body, `the retry's body differs from the first attempt's:\n  first: ${first.body}\n  retry: ${retry.body}`, ...steps);
    });
  },
);

export const refillReadyArrives = defineCheck(
  'webhooks/refill-ready-arrives-when-a-refill-is-approved',
  'A refill approved (a day on the target\'s clock after it was requested) brings refill.ready whose data carries its refillId, prescriptionId and status approved, '
    + 'matching the spec\'s schema',
  async (context) => {
    context.require('refills');
    context.require('sandboxClock');
    const api = context.isolatedClient('it moves its clock');
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const created = await api.createRefill(exampleRefill());
      expectStatus(created, 201, 'requesting the spec\'s example refill', session.registered);
      const refill = refillOf(created);
      const aDay = await api.advanceClock(24 * 60 * 60);
      expectStatus(aDay, 200, 'advancing the clock a day', session.registered, created);
      const ready = await awaitDelivery(context, session, 'refill.ready', refill.id, created, aDay);
      const problem = schemaProblem(ready);
      ensure(problem === undefined, `the refill.ready body does not match the spec: ${problem}\n  body: ${ready.body.slice(0, 600)}`, session.registered, created, aDay);
      const { refillId, prescriptionId, status } = eventOf(ready).data;
      expectEqual({ refillId, prescriptionId, status }, { refillId: refill.id, prescriptionId: refill.prescriptionId, status: 'approved' },
        'refill.ready\'s data', session.registered, created, aDay);
    });
  },
);

export const testWebhookArrivesSigned = defineCheck(
  'webhooks/test-webhook-arrives-signed-with-the-endpoint-secret',
  'POST /webhooks/test {"eventType":"order.fulfilled","webhookUrl":…} to a registered endpoint\'s URL posts one order.fulfilled there, '
    + 'matching the spec\'s schema and signed with the endpoint\'s secret',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      const sent = await api.sendTestWebhook({ eventType: 'order.fulfilled', webhookUrl: session.receiver.url });
      expectStatus(sent, 200, 'sending a test webhook to the endpoint', session.registered);
      const delivery = await awaitDelivery(context, session, undefined, undefined, sent);
      expectEqual(eventOf(delivery).type, 'order.fulfilled', 'the type of the event the test webhook posted', session.registered, sent);
      const problem = schemaProblem(delivery);
      ensure(problem === undefined, `the test order.fulfilled body does not match the spec: ${problem}\n  body: ${delivery.body.slice(0, 600)}`, session.registered, sent);
      ensure(signatureVerifies(delivery.body, delivery.headers['x-webhook-signature'], session.endpoint.secret),
        'the test webhook\'s X-Webhook-Signature is not the HMAC-SHA256 of its body with the endpoint\'s secret', session.registered, sent);
    });
  },
);

export const endpointGetsOnlyItsEvents = defineCheck(
  'webhooks/an-endpoint-receives-only-the-events-it-lists',
  'An endpoint registered with {"events":["order.fulfilled"]} receives order.fulfilled for a shipped order, and never its order.created '
    + '(which an endpoint gets before the same order\'s later events)',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, ['order.fulfilled'], async (session) => {
      const { exchange: created, order } = await createOrder(api);
      const shipped = await moveOrder(context, api, order.id, 'shipped', created);
      await awaitDelivery(context, session, 'order.fulfilled', order.id, created, shipped);
      const types = deliveriesAbout(session, order.id).map((delivery) => eventOf(delivery).type);
      ensure(!types.includes('order.created'), `an endpoint listing only order.fulfilled received ${types.join(', ')}`, session.registered, created, shipped);
    });
  },
);

export const testWebhookElsewhereUsesTheDefaultSecret = defineCheck(
  'webhooks/test-webhook-to-an-unregistered-url-is-signed-with-the-default-secret',
  'POST /webhooks/test to a URL no endpoint has posts the event there, signed with the defaultSecret GET /sandbox/webhook-endpoints shows '
    + '(checked once a new order\'s order.created at a registered endpoint shows the target can reach the kit)',
  async (context) => {
    const api = context.client();
    await withWebhookEndpoint(context, api, undefined, async (session) => {
      // An order's first event shows the target can reach the kit at all.
      const { exchange: created, order } = await createOrder(api);
      await awaitDelivery(context, session, 'order.created', order.id, created);
      const elsewhere = await startReceiver(context.target.receiverHost ?? '127.0.0.1');
      try {
        const listed = await api.send({ method: 'GET', path: '/sandbox/webhook-endpoints' });
        expectStatus(listed, 200, 'listing the webhook endpoints and the default secret');
        const { defaultSecret } = listed.json as { defaultSecret: string };
        const sent = await api.sendTestWebhook({ webhookUrl: elsewhere.url });
        expectStatus(sent, 200, 'sending a test webhook to a URL no endpoint has', listed);
        const delivery = await elsewhere.waitFor(() => true, webhookWaitMs(context));
        ensure(delivery !== undefined, `no test webhook reached ${elsewhere.url} within ${webhookWaitMs(context)} ms, although order.created reached the registered endpoint`, listed, sent);
        ensure(signatureVerifies(delivery.body, delivery.headers['x-webhook-signature'], defaultSecret),
          'the test webhook\'s X-Webhook-Signature is not the HMAC-SHA256 of its body with the listed defaultSecret', listed, sent);
      } finally {
        await elsewhere.close();
      }
    });
  },
);

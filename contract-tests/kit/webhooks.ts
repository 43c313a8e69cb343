import type { components } from '../generated/openapi.ts';
import type { CheckContext } from './check.ts';
import type { Client } from './client.ts';
import { ContractViolation, type Exchange } from './exchange.ts';
import { expectStatus } from './expect.ts';
import { startReceiver, type Delivery, type Receiver } from './receiver.ts';
import { componentSchema, describeErrors, resolveRef, spec, validatorFor, type Json } from './spec.ts';

export { signatureVerifies } from './signature.ts';

/**
 * A webhook endpoint registered on the target, pointing at a receiver the kit runs, for the
 * checks that look at what the target actually posts.
 */

export type WebhookEndpoint = components['schemas']['WebhookEndpoint'];
export type WebhookEventType = components['schemas']['WebhookEventType'];
type WebhookDeliveryList = components['schemas']['WebhookDeliveryList'];

/** What every event body carries, whatever its type. */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** How long a check waits for a delivery the target should make at once, unless the target says otherwise. */
export const DEFAULT_WEBHOOK_WAIT_MS = 5_000;

export const webhookWaitMs = (context: CheckContext) => context.target.webhookWaitMs ?? DEFAULT_WEBHOOK_WAIT_MS;

export interface WebhookSession {
  api: Client;
  receiver: Receiver;
  endpoint: WebhookEndpoint;
  /** The registration, first of the exchanges that reproduce what follows. */
  registered: Exchange;
}

export const eventOf = (delivery: Delivery) => delivery.json as WebhookEvent;

/** Deliveries of events about this order (or refill), as they arrived. */
export function deliveriesAbout(session: WebhookSession, subjectId: string): Delivery[] {
  return session.receiver.deliveries.filter((delivery) => {
    const data = (delivery.json as Partial<WebhookEvent> | undefined)?.data;
    return data?.orderId === subjectId || data?.refillId === subjectId;
  });
}

/**
 * The schema the spec's `webhooks` section gives the body of this event type; for types it groups
 * under one entry (the sandbox's extra status events), the `WebhookEvent` union.
 */
export function eventSchema(type: string): Json {
  const webhooks = (spec as unknown as { webhooks?: Record<string, { post?: { requestBody?: unknown } }> }).webhooks ?? {};
  const body = webhooks[type]?.post?.requestBody;
  if (body === undefined) return componentSchema('WebhookEvent');
  const schema = resolveRef<{ content: Record<string, { schema: Json }> }>(body).content['application/json']?.schema;
  if (schema === undefined) throw new Error(`spec: webhook ${type} has no application/json schema`);
  return schema;
}

/** Why this body does not match its type's schema in the spec, or undefined when it does. */
export function schemaProblem(delivery: Delivery): string | undefined {
  if (delivery.json === undefined) return `the body is not JSON: ${delivery.body.slice(0, 200)}`;
  const type = (delivery.json as Partial<WebhookEvent>).type;
  const validate = validatorFor(eventSchema(typeof type === 'string' ? type : ''));
  return validate(delivery.json) ? undefined : describeErrors(validate.errors);
}

/** A short account of what the receiver got, for failure messages. */
export function describeDeliveries(deliveries: readonly Delivery[]): string {
  if (deliveries.length === 0) return 'nothing';
  return deliveries.map((delivery) => {
    const event = delivery.json as Partial<WebhookEvent> | undefined;
    return `${event?.type ?? '(no type)'} ${event?.id ?? ''} → answered ${delivery.answered}`;
  }).join('; ');
}

/**
 * Starts a receiver, registers an endpoint for it (with `events`, where given), runs `use`, then
 * deletes the endpoint and closes the receiver. Skips where the target offers no registration or
 * refuses the receiver's address.
 */
export async function withWebhookEndpoint<T>(
  context: CheckContext, api: Client, events: readonly WebhookEventType[] | undefined, use: (session: WebhookSession) => Promise<T>,
): Promise<T> {
  context.require('webhookEndpoints');
  const receiver = await startReceiver(context.target.receiverHost ?? '127.0.0.1');
  try {
    const registered = await api.send({ method: 'POST', path: '/sandbox/webhook-endpoints', json: { url: receiver.url, ...(events === undefined ? {} : { events }) } });
    if (registered.status === 422) {
      context.skip(`the target refused the kit's receiver ${receiver.url} as a webhook endpoint (HTTP 422); `
        + 'run the kit with --receiver-host set to an address of this machine the target may post to');
    }
    expectStatus(registered, 201, 'registering a webhook endpoint');
    const endpoint = registered.json as WebhookEndpoint;
    try {
      return await use({ api, receiver, endpoint, registered });
    } finally {
      await api.send({ method: 'DELETE', path: `/sandbox/webhook-endpoints/${encodeURIComponent(endpoint.id)}` }, { conformance: false });
    }
  } finally {
    await receiver.close();
  }
}

const POLL_MS = 50;

/** The endpoint's delivery log (`GET /sandbox/webhook-endpoints/{endpointId}/deliveries`); none where the target has none. */
export async function deliveryLog(session: WebhookSession): Promise<{ log: Exchange; attempts: WebhookDeliveryList['data'] }> {
  const log = await session.api.send({ method: 'GET', path: `/sandbox/webhook-endpoints/${encodeURIComponent(session.endpoint.id)}/deliveries` }, { conformance: false });
  return { log, attempts: log.status === 200 ? (log.json as WebhookDeliveryList).data : [] };
}

/**
 * The first event of `type` about `subjectId` (either any, when undefined) the receiver gets, waiting webhookWaitMs for it.
 * Meanwhile the endpoint's delivery log, where the target keeps one, tells early that an event of
 * that type went out as delivered yet never reached the receiver (the check fails), and at the end
 * tells a target that could not reach the receiver (the check skips, naming --receiver-host) from
 * one that sent nothing (the check fails).
 */
export async function awaitDelivery(
  context: CheckContext, session: WebhookSession, type: string | undefined, subjectId: string | undefined, ...before: Exchange[]
): Promise<Delivery> {
  const what = `${type ?? 'an event'}${subjectId === undefined ? '' : ` for ${subjectId}`}`;
  const about = (delivery: Delivery) => {
    const event = delivery.json as Partial<WebhookEvent> | undefined;
    return event !== undefined && (type === undefined || event.type === type) && (subjectId === undefined || event.data?.orderId === subjectId || event.data?.refillId === subjectId);
  };
  const received = () => new Set(session.receiver.deliveries.map((delivery) => (delivery.json as Partial<WebhookEvent> | undefined)?.id));
  const waitMs = webhookWaitMs(context);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const arrived = await session.receiver.waitFor(about, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    if (arrived !== undefined) return arrived;
    const { log, attempts } = await deliveryLog(session);
    // Once the receiver answered, an attempt is logged; a delivered attempt it never saw went elsewhere or nowhere.
    const lost = attempts.find((attempt) => (type === undefined || attempt.eventType === type) && attempt.succeeded && !received().has(attempt.eventId));
    if (lost !== undefined && session.receiver.deliveries.every((delivery) => !about(delivery))) {
      throw new ContractViolation(`the target logs ${lost.eventType} ${lost.eventId} as delivered, but the receiver never got it (it got: ${describeDeliveries(session.receiver.deliveries)})`,
        [session.registered, ...before, log]);
    }
    if (Date.now() < deadline) continue;
    const unreached = attempts.find((attempt) => attempt.responseStatus === null);
    if (unreached !== undefined && session.receiver.deliveries.length === 0) {
      context.skip(`the target could not reach the kit's receiver ${session.receiver.url} (${unreached.error ?? 'no answer'}); `
        + 'run the kit with --receiver-host set to an address of this machine the target can reach');
    }
    throw new ContractViolation(`${what} did not arrive within ${waitMs} ms; the receiver got: ${describeDeliveries(session.receiver.deliveries)}`,
      [session.registered, ...before, log]);
  }
}

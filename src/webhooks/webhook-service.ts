import type { Order, Refill, WebhookDelivery, WebhookEndpoint } from '../api-types.ts';
import { isoTime, type Clock, type ClockMode } from '../clock.ts';
import type { KeyedLock } from '../concurrency/keyed-lock.ts';
import { invalid, limitReached, notFound } from '../domain/refusal.ts';
import { testDataOrders } from '../domain/test-data.ts';
import type { IdGenerator } from '../ids.ts';
import { addBusinessDays } from '../lifecycle/business-days.ts';
import { DELIVERY_ESTIMATE_BUSINESS_DAYS, ORDER_LIFECYCLE } from '../lifecycle/order-lifecycle.ts';
import { REFILL_LIFECYCLE } from '../lifecycle/refill-lifecycle.ts';
import { statusOfEvent } from '../lifecycle/table.ts';
import type { Store } from '../store/store.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import { destinationRefusal, REFUSAL_REASONS } from './destination-policy.ts';
import { eventContent, PUBLISHED_EVENT_TYPES, type EventContent, type WebhookEvent, type WebhookEventType } from './events.ts';
import { signWebhook } from './signature.ts';
import type { SendResult } from './undici-sender.ts';

export type { SendResult, WebhookDelivery, WebhookEndpoint };


/**
 * Posts one signed body; any failure comes back as a result, never a throw. Called for several
 * events at once; an endpoint's events about one order or refill are never out at the same time.
 */
export type WebhookSender = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<SendResult>;

/** What GET /sandbox/webhook-endpoints shows for the operator's `--webhook-secret`. */
export const REDACTED_SECRET = 'whsec_redacted';

export const MAX_ATTEMPTS = 5;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/**
 * Events waiting to be sent for one key, over all its endpoints: past it, an event is dead-lettered
 * at once. Receivers that never answer cannot make a key's queue grow without end.
 */
export const MAX_WAITING_EVENTS = 20_000;
/** Events to one endpoint sent together: at most this many. */
export const MAX_BATCH = 32;
/** Endpoints one API key may have (`--max-endpoints`), a `--webhook-url` subscription included. Stripe allows 16 in test mode. */
export const DEFAULT_MAX_ENDPOINTS = 20;
/** Delivery attempts kept per endpoint (`--max-deliveries`): the newest; older ones are dropped. */
export const DEFAULT_MAX_DELIVERIES = 1000;

/** Believable content for a test event, from the published test data; its status is the one the step tables give the event. */
function sampleEvent(type: WebhookEventType, now: number): EventContent {
  if (type.startsWith('refill.')) {
    const refill: Refill = {
      id: 'ref_test_001', prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890', status: statusOfEvent(REFILL_LIFECYCLE, type)!,
      requestedQuantity: 30, approvedQuantity: 30, createdAt: isoTime(now), estimatedShipDate: null,
    };
    return eventContent(type, refill);
  }
  const order: Order = { ...testDataOrders()[0]!.order, status: statusOfEvent(ORDER_LIFECYCLE, type)! };
  if (order.status === 'shipped') {
    order.trackingNumber = '1Z999AA10123456784';
    order.estimatedDeliveryDate = addBusinessDays(now, DELIVERY_ESTIMATE_BUSINESS_DAYS);
  }
  return eventContent(type, order);
}

/**
 * What an endpoint's queue holds for each event. Every attempt posts, and its delivery lists,
 * these very `body` and `signature` strings: the log holds one copy per event, not per attempt.
 */
interface PendingEvent {
  event: WebhookEvent;
  body: string;
  /** The `X-Webhook-Signature` of `body` with the endpoint's secret. */
  signature: string;
  maxAttempts: number;
}

/** An endpoint, and the tenant's events waiting for it. */
interface Outbox {
  readonly endpoint: WebhookEndpoint;
  readonly queue: DeliveryQueue<PendingEvent>;
}

/** One attempt to deliver an event, or an event dead-lettered unsent, as the log tells it. */
export interface AttemptReport {
  /** Absent for a test event sent to a URL no endpoint has. */
  endpointId?: string;
  url: string;
  delivery: WebhookDelivery;
  /** Real ms the attempt took; 0 when nothing was sent. */
  durationMs: number;
  /** False for an event dead-lettered unsent. */
  sent: boolean;
}

export interface WebhookServiceDeps {
  store: Store;
  lock: KeyedLock<string>;
  /** Each tenant's source of ids and secrets. */
  idsFor(tenant: string): IdGenerator;
  /** A clock whose mode is `real` runs between advances; any other stands still. */
  clockFor(tenant: string): Clock & { readonly mode?: ClockMode };
  send: WebhookSender;
  timeoutMs: number;
  isValidEvent(event: unknown): boolean;
  /** Endpoints one tenant may have; registering one more is refused with `limit_reached`. */
  maxEndpoints: number;
  /** Delivery attempts the store keeps per endpoint, the newest. */
  maxDeliveries: number;
  /** Events waiting for one key's endpoints at most; default MAX_WAITING_EVENTS. */
  maxWaitingEvents?: number;
  /** Subscribe every tenant to this endpoint from the start (the CLI's --webhook-url). */
  subscribeAll?: { url: string; secret?: string };
  /** Refuse loopback and private destinations too, not only credentials and link-local (see destination-policy.ts). */
  denyPrivate?: boolean;
  reportUnexpected(error: unknown): void;
  /** Told of every attempt once recorded, and of every event dead-lettered unsent; it must not throw. */
  onAttempt?(tenant: string, report: AttemptReport): void;
  /** Measures attempts for `onAttempt`: a monotonic real clock. */
  stopwatch?: Clock;
}

/**
 * Endpoints, events and deliveries per tenant. Endpoints and the delivery log live in the store;
 * the outboxes (each endpoint and its events waiting to go) live here, loaded when a tenant is set
 * up. An endpoint gets the events of one order (or refill) one at a time, in the order they
 * happened; events of different orders due together go out together, and one order's retries
 * hold back no other order. Each event is retried after 1, 2, 4 and 8 s of the tenant's clock,
 * five attempts at most. Deliveries run beside the API, never inside a request, except when the
 * clock is advanced on purpose.
 */
export class WebhookService {
  private readonly outboxes = new Map<string, Map<string, Outbox>>();

  constructor(private readonly deps: WebhookServiceDeps) {}

  /** What a new tenant starts with: its default secret and the `--webhook-url` subscription. */
  seed(tenant: string): { defaultSecret: string; endpoints: WebhookEndpoint[] } {
    const ids = this.deps.idsFor(tenant);
    const defaultSecret = ids.next('whsec', 32);
    const all = this.deps.subscribeAll;
    return { defaultSecret, endpoints: all === undefined ? [] : [this.newEndpoint(tenant, all.url, undefined, all.secret)] };
  }

  /** Loads the tenant's outboxes from the store, with nothing waiting: on set-up and after a reset. */
  async load(tenant: string): Promise<void> {
    const endpoints = await this.deps.store.listEndpoints(tenant);
    this.outboxes.set(tenant, new Map(endpoints.map((endpoint) => [endpoint.id, newOutbox(endpoint)])));
  }

  /** Drops the tenant's outboxes and the events waiting in them; a delivery under way stops after its attempt. */
  forget(tenant: string): void {
    this.outboxes.delete(tenant);
  }

  private newEndpoint(tenant: string, url: string, events: WebhookEventType[] | undefined, secret?: string): WebhookEndpoint {
    const ids = this.deps.idsFor(tenant);
    return {
      id: ids.next('we'),
      url,
      events: events ?? [...PUBLISHED_EVENT_TYPES],
      secret: secret ?? ids.next('whsec', 32),
      createdAt: isoTime(this.deps.clockFor(tenant).now()),
    };
  }

  private tenantOutboxes(tenant: string): Map<string, Outbox> {
    let outboxes = this.outboxes.get(tenant);
    if (outboxes === undefined) {
      outboxes = new Map();
      this.outboxes.set(tenant, outboxes);
    }
    return outboxes;
  }

  /** Refuses, naming `field`, a URL webhooks are never sent to. */
  private checkDestination(url: string, field: string): void {
    if (!URL.canParse(url)) throw invalid(field, 'Must be an http or https URL');
    const refusal = destinationRefusal(url, this.deps.denyPrivate ?? false);
    if (refusal !== undefined) throw invalid(field, REFUSAL_REASONS[refusal]);
  }

  /** Registrations for one tenant run one at a time, so parallel ones cannot pass `maxEndpoints` together. */
  createEndpoint(tenant: string, url: string, events?: WebhookEventType[]): Promise<WebhookEndpoint> {
    this.checkDestination(url, 'url');
    return this.deps.lock.exclusive(`endpoints\u0000${tenant}`, async () => {
      const { maxEndpoints } = this.deps;
      if ((await this.deps.store.listEndpoints(tenant)).length >= maxEndpoints) {
        throw limitReached('webhook endpoints', maxEndpoints, 'DELETE /sandbox/webhook-endpoints/{endpointId} one you no longer need, or POST /sandbox/reset');
      }
      const endpoint = this.newEndpoint(tenant, url, events);
      await this.deps.store.addEndpoint(tenant, endpoint);
      this.tenantOutboxes(tenant).set(endpoint.id, newOutbox(endpoint));
      return endpoint;
    });
  }

  /**
   * The tenant's endpoints. The `--webhook-url` subscription's secret, when the operator gave it
   * (`--webhook-secret`), is shared by every key: it is listed as REDACTED_SECRET, so no key can
   * sign events the shared receiver would take as real. A secret the sandbox generated is the
   * key's own and is shown.
   */
  async listEndpoints(tenant: string): Promise<{ data: WebhookEndpoint[]; defaultSecret: string }> {
    const [data, settings] = await Promise.all([this.deps.store.listEndpoints(tenant), this.deps.store.getSettings(tenant)]);
    const operatorSecret = this.deps.subscribeAll?.secret;
    return {
      data: operatorSecret === undefined ? data : data.map((endpoint) => endpoint.secret === operatorSecret ? { ...endpoint, secret: REDACTED_SECRET } : endpoint),
      defaultSecret: settings!.defaultSecret,
    };
  }

  async deleteEndpoint(tenant: string, endpointId: string): Promise<void> {
    if (!await this.deps.store.deleteEndpoint(tenant, endpointId)) throw notFound('webhook endpoint', 'endpointId', endpointId);
    this.outboxes.get(tenant)?.delete(endpointId);
  }

  /** Every attempt, oldest first. */
  async deliveries(tenant: string, endpointId: string): Promise<WebhookDelivery[]> {
    const attempts = await this.deps.store.listDeliveries(tenant, endpointId);
    if (attempts === undefined) throw notFound('webhook endpoint', 'endpointId', endpointId);
    return attempts;
  }

  private newEvent(tenant: string, { type, data }: EventContent, at: string): WebhookEvent {
    const event = { id: this.deps.idsFor(tenant).next('evt'), type, createdAt: at, data } as WebhookEvent;
    if (!this.deps.isValidEvent(event)) throw new Error(`webhook event does not match the spec: ${JSON.stringify(event)}`);
    return event;
  }

  /** Queues an event for every endpoint that wants it, due at `at`, then starts sending. */
  publish(tenant: string, content: EventContent | undefined, at: string): void {
    if (content === undefined) return;
    const outboxes = this.outboxes.get(tenant);
    if (outboxes === undefined) return;
    let event: WebhookEvent | undefined;
    let body = '';
    let waiting = this.waiting(outboxes);
    for (const outbox of outboxes.values()) {
      if (!outbox.endpoint.events.includes(content.type)) continue;
      if (event === undefined) {
        event = this.newEvent(tenant, content, at);
        body = JSON.stringify(event);
      }
      const pending = pendingEvent(event, body, outbox.endpoint.secret, MAX_ATTEMPTS);
      if (waiting >= this.maxWaiting) {
        this.refuseToQueue(tenant, outbox, pending, at);
        continue;
      }
      outbox.queue.add(subjectOf(event), pending, Date.parse(at));
      waiting++;
      this.drainOutbox(tenant, outbox).catch(this.deps.reportUnexpected);
    }
  }

  private get maxWaiting(): number {
    return this.deps.maxWaitingEvents ?? MAX_WAITING_EVENTS;
  }

  /** Events waiting for any of the key's endpoints. */
  private waiting(outboxes: Map<string, Outbox>): number {
    let waiting = 0;
    for (const outbox of outboxes.values()) waiting += outbox.queue.size;
    return waiting;
  }

  /** An event the key has no room left to queue: dead-lettered at once, and said so in the endpoint's log. */
  private refuseToQueue(tenant: string, outbox: Outbox, { event, body, signature }: PendingEvent, at: string): void {
    const delivery: WebhookDelivery = {
      eventId: event.id, eventType: event.type, body, signature, attempt: 1, attemptedAt: at, succeeded: false, responseStatus: null,
      error: `Not sent: ${this.maxWaiting} events were already waiting for this API key's endpoints`,
      nextRetryAt: null, deadLettered: true,
    };
    this.deps.store.appendDeliveries(tenant, outbox.endpoint.id, [delivery], this.deps.maxDeliveries).catch(this.deps.reportUnexpected);
    this.deps.onAttempt?.(tenant, { endpointId: outbox.endpoint.id, url: outbox.endpoint.url, delivery, durationMs: 0, sent: false });
  }

  /** The published `POST /webhooks/test`: one attempt, no retries. */
  sendTest(tenant: string, type: WebhookEventType, url: string | undefined): string {
    if (url !== undefined) this.checkDestination(url, 'webhookUrl');
    const now = this.deps.clockFor(tenant).now();
    const event = this.newEvent(tenant, sampleEvent(type, now), isoTime(now));
    const body = JSON.stringify(event);
    const targets = [...this.tenantOutboxes(tenant).values()].filter((outbox) => url === undefined || outbox.endpoint.url === url);
    // With no URL and no endpoint there is nowhere to send; the published answer stands all the same.
    if (targets.length === 0 && url !== undefined) {
      void this.deps.store.getSettings(tenant).then(async (settings) => {
        if (settings === undefined) return;
        const signature = signWebhook(body, settings.defaultSecret);
        const { result, durationMs } = await this.timedSend(url, body, signature);
        const succeeded = isSuccess(result);
        this.deps.onAttempt?.(tenant, {
          url, durationMs, sent: true,
          delivery: {
            eventId: event.id, eventType: event.type, body, signature, attempt: 1, attemptedAt: event.createdAt, succeeded, responseStatus: result.status,
            error: succeeded ? null : result.error, nextRetryAt: null, deadLettered: false,
          },
        });
      }).catch(this.deps.reportUnexpected);
    }
    // Made-up content: it neither waits for nor holds back the events of a real order.
    let waiting = this.waiting(this.tenantOutboxes(tenant));
    for (const outbox of targets) {
      const pending = pendingEvent(event, body, outbox.endpoint.secret, 1);
      if (waiting++ >= this.maxWaiting) {
        this.refuseToQueue(tenant, outbox, pending, isoTime(now));
        continue;
      }
      outbox.queue.add(`test ${event.id}`, pending, now);
      this.drainOutbox(tenant, outbox).catch(this.deps.reportUnexpected);
    }
    return this.deps.idsFor(tenant).next('wh_test');
  }

  private headers(signature: string): Record<string, string> {
    return { 'Content-Type': 'application/json', 'User-Agent': 'nimbus-sandbox', 'X-Webhook-Signature': signature };
  }

  /** Starts sending what is due, without waiting. */
  kick(tenant: string): void {
    this.drain(tenant).catch(this.deps.reportUnexpected);
  }

  kickAll(): void {
    for (const tenant of this.outboxes.keys()) this.kick(tenant);
  }

  async drainAll(): Promise<void> {
    await Promise.all([...this.outboxes.keys()].map((tenant) => this.drain(tenant)));
  }

  /** Sends everything due on the tenant's clock, retries included, and resolves when done. */
  async drain(tenant: string): Promise<void> {
    const outboxes = this.outboxes.get(tenant);
    if (outboxes === undefined) return;
    await Promise.all([...outboxes.values()].map((outbox) => this.drainOutbox(tenant, outbox)));
  }

  /** One delivery run per endpoint at a time; asked for meanwhile, one more run follows it. */
  private drainOutbox(tenant: string, outbox: Outbox): Promise<void> {
    return this.deps.lock.coalesced(`deliver\u0000${tenant}\u0000${outbox.endpoint.id}`, () => this.deliverDue(tenant, outbox));
  }

  /** The sender's result; a sender that throws (only a custom one can) is reported and makes a failed attempt, not a lost batch. */
  private async sendOne(url: string, body: string, signature: string): Promise<SendResult> {
    try {
      return await this.deps.send(url, body, this.headers(signature), this.deps.timeoutMs);
    } catch (error) {
      this.deps.reportUnexpected(error);
      return { status: null, error: `The webhook sender failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** `sendOne`, timed on the stopwatch when someone is told of attempts. */
  private async timedSend(url: string, body: string, signature: string): Promise<{ result: SendResult; durationMs: number }> {
    const { stopwatch } = this.deps;
    const started = stopwatch?.now() ?? 0;
    const result = await this.sendOne(url, body, signature);
    return { result, durationMs: stopwatch === undefined ? 0 : Math.round((stopwatch.now() - started) * 1000) / 1000 };
  }

  private isCurrent(tenant: string, outbox: Outbox): boolean {
    return this.outboxes.get(tenant)?.get(outbox.endpoint.id) === outbox;
  }

  private async deliverDue(tenant: string, outbox: Outbox): Promise<void> {
    // Forgotten, reset or deleted meanwhile: asking for its clock would make the tenant a new one.
    if (!this.isCurrent(tenant, outbox)) return;
    const clock = this.deps.clockFor(tenant);
    // A clock that stands still between advances has each attempt made when it fell due, as if the
    // advance had stepped through; a running clock has it made, and finished, when it really is.
    const simulated = clock.mode !== 'real';
    const { id: endpointId, url } = outbox.endpoint;
    for (;;) {
      // Deleted, reset or forgotten while the last batch was being recorded: nothing more goes out.
      if (!this.isCurrent(tenant, outbox)) return;
      const sentAt = clock.now();
      const batch = outbox.queue.takeDue(sentAt, MAX_BATCH);
      if (batch.length === 0) return;
      for (const { queued } of batch) queued.attempts++;
      const results = await Promise.all(batch.map(({ queued }) => this.timedSend(url, queued.item.body, queued.item.signature)));
      if (!this.isCurrent(tenant, outbox)) return;
      const answeredAt = clock.now();
      const outcomes = batch.map((due, index) => {
        const { item, attempts: attempt } = due.queued;
        const { result, durationMs } = results[index]!;
        const attemptedAt = simulated ? due.readyAt : sentAt;
        const finishedAt = simulated ? due.readyAt : answeredAt;
        const succeeded = isSuccess(result);
        const retry = !succeeded && attempt < item.maxAttempts;
        const retryAt = finishedAt + 1000 * 2 ** (attempt - 1);
        const outcome = retry ? { retryAt } : { doneAt: finishedAt };
        const delivery: WebhookDelivery = {
          eventId: item.event.id,
          eventType: item.event.type,
          body: item.body,
          signature: item.signature,
          attempt,
          attemptedAt: isoTime(attemptedAt),
          succeeded,
          responseStatus: result.status,
          error: succeeded ? null : result.error,
          nextRetryAt: retry ? isoTime(retryAt) : null,
          deadLettered: !succeeded && !retry,
        };
        return { due, outcome, delivery, durationMs };
      });
      // Recorded before settled, so the queue never moves past what the log shows: an event
      // published while the log does not yet show the one before it as done still waits for it.
      try {
        await this.deps.store.appendDeliveries(tenant, endpointId, outcomes.map(({ delivery }) => delivery), this.deps.maxDeliveries);
      } finally {
        for (const { due, outcome } of outcomes) outbox.queue.settle(due, outcome);
      }
      for (const { delivery, durationMs } of outcomes) this.deps.onAttempt?.(tenant, { endpointId, url, delivery, durationMs, sent: true });
    }
  }
}

const isSuccess = (result: SendResult): boolean => result.status !== null && result.status >= 200 && result.status < 300;

function pendingEvent(event: WebhookEvent, body: string, secret: string, maxAttempts: number): PendingEvent {
  return { event, body, signature: signWebhook(body, secret), maxAttempts };
}

function newOutbox(endpoint: WebhookEndpoint): Outbox {
  return { endpoint, queue: new DeliveryQueue() };
}

/** What an event is about: an endpoint gets the events of one subject one at a time, in order. */
export function subjectOf({ data }: WebhookEvent): string {
  return 'orderId' in data ? `order ${data.orderId}` : `refill ${data.refillId}`;
}

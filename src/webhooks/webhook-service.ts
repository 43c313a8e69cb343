import type { components } from '../generated/openapi.ts';
import { isoTime, type Clock, type ClockMode } from '../clock.ts';
import type { OrderRecord } from '../domain/records.ts';
import { testDataOrders } from '../domain/test-data.ts';
import { ApiError } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { orderEvent, PUBLISHED_EVENT_TYPES, type EventContent, type WebhookEvent, type WebhookEventType } from './events.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import type { SendResult } from './undici-sender.ts';
import { signWebhook } from './signature.ts';

export type { SendResult };

type Schemas = components['schemas'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];

export const MAX_ATTEMPTS = 5;

/** Believable content for a test event, from the published test data. */
function sampleEvent(type: WebhookEventType, now: number): EventContent {
  if (type.startsWith('refill.')) {
    const status = type === 'refill.ready' ? 'approved' : type.slice('refill.'.length);
    return { type, data: { refillId: 'ref_test_001', prescriptionId: 'rx_9876543210', status } } as EventContent;
  }
  const sample: OrderRecord = testDataOrders()[0]!;
  const status = type === 'order.created' ? 'pending' : type === 'order.fulfilled' ? 'shipped' : type.slice('order.'.length);
  sample.order.status = status as OrderRecord['order']['status'];
  if (status === 'shipped') {
    sample.order.trackingNumber = '1Z999AA10123456784';
    sample.order.estimatedDeliveryDate = isoTime(now + 3 * 86_400_000).slice(0, 10);
  }
  return { ...orderEvent(sample, { status: sample.order.status, at: isoTime(now), reason: 'Test' }), type };
}
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Posts one signed body; any failure comes back as a result, never a throw. Called for several
 * events at once; an endpoint's events about one order or refill are never out at the same time.
 */
export type WebhookSender = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<SendResult>;

/** What an endpoint's queue holds for each event. */
interface PendingEvent {
  event: WebhookEvent;
  body: string;
  maxAttempts: number;
}

interface EndpointState {
  endpoint: WebhookEndpoint;
  queue: DeliveryQueue<PendingEvent>;
  /** Appended as made; after a clock jump they are not made in time order, so they are sorted when read. */
  attempts: WebhookDelivery[];
  attemptsSorted: boolean;
  running?: Promise<void>;
  /** Set when a kick arrives while a run is under way, so the run looks again before it ends. */
  again?: boolean;
}

interface TenantWebhooks {
  endpoints: Map<string, EndpointState>;
  defaultSecret: string;
  /** The endpoint `subscribeAll` made, if any. */
  subscriptionId?: string;
}

export interface WebhookServiceDeps {
  /** Each tenant's source of ids and secrets. */
  idsFor(tenant: string): IdGenerator;
  /** A clock whose mode is `real` runs between advances; any other stands still. */
  clockFor(tenant: string): Clock & { readonly mode?: ClockMode };
  send: WebhookSender;
  timeoutMs: number;
  isValidEvent(event: unknown): boolean;
  /** Subscribe every tenant to this endpoint from the start (the CLI's --webhook-url). */
  subscribeAll?: { url: string; secret?: string };
  reportUnexpected(error: unknown): void;
}

/**
 * Endpoints, events and deliveries per tenant. An endpoint gets the events of one order (or
 * refill) one at a time, in the order they happened; events of different orders due together go
 * out together (pipelined by UndiciSender), and one order's retries hold back no other order.
 * Each event is retried after 1, 2, 4 and 8 s of the tenant's clock, five attempts at most.
 * Deliveries run beside the API, never inside a request, except when the clock is advanced on
 * purpose.
 */
export class WebhookService {
  private readonly tenants = new Map<string, TenantWebhooks>();

  constructor(private readonly deps: WebhookServiceDeps) {}

  private tenant(tenant: string): TenantWebhooks {
    let data = this.tenants.get(tenant);
    if (data === undefined) {
      data = { endpoints: new Map(), defaultSecret: this.deps.idsFor(tenant).next('whsec', 32) };
      this.tenants.set(tenant, data);
      const all = this.deps.subscribeAll;
      if (all !== undefined) data.subscriptionId = this.addEndpoint(tenant, data, all.url, undefined, all.secret).id;
    }
    return data;
  }

  private addEndpoint(tenant: string, data: TenantWebhooks, url: string, events: WebhookEventType[] | undefined, secret?: string): WebhookEndpoint {
    const endpoint: WebhookEndpoint = {
      id: this.deps.idsFor(tenant).next('we'),
      url,
      events: events ?? [...PUBLISHED_EVENT_TYPES],
      secret: secret ?? this.deps.idsFor(tenant).next('whsec', 32),
      createdAt: isoTime(this.deps.clockFor(tenant).now()),
    };
    data.endpoints.set(endpoint.id, newEndpointState(endpoint));
    return endpoint;
  }

  createEndpoint(tenant: string, url: string, events?: WebhookEventType[]): WebhookEndpoint {
    return this.addEndpoint(tenant, this.tenant(tenant), url, events);
  }

  listEndpoints(tenant: string): { data: WebhookEndpoint[]; defaultSecret: string } {
    const data = this.tenant(tenant);
    return { data: [...data.endpoints.values()].map((state) => state.endpoint), defaultSecret: data.defaultSecret };
  }

  private endpoint(tenant: string, endpointId: string): EndpointState {
    const state = this.tenant(tenant).endpoints.get(endpointId);
    if (state === undefined) {
      throw new ApiError('not_found', `No webhook endpoint with id ${endpointId.slice(0, 100)}`, { field: 'endpointId', reason: 'Not found' });
    }
    return state;
  }

  deleteEndpoint(tenant: string, endpointId: string): void {
    this.endpoint(tenant, endpointId);
    this.tenant(tenant).endpoints.delete(endpointId);
  }

  /** Every attempt, oldest first. */
  deliveries(tenant: string, endpointId: string): WebhookDelivery[] {
    const state = this.endpoint(tenant, endpointId);
    if (!state.attemptsSorted) {
      state.attempts.sort((a, b) => (a.attemptedAt < b.attemptedAt ? -1 : a.attemptedAt > b.attemptedAt ? 1 : 0));
      state.attemptsSorted = true;
    }
    return state.attempts;
  }

  /**
   * Drops the tenant's endpoints, queues and attempts. The default secret and the `--webhook-url`
   * subscription (id and secret) stay, so a receiver configured with them keeps verifying.
   */
  reset(tenant: string): void {
    const data = this.tenants.get(tenant);
    if (data === undefined) return;
    const subscription = [...data.endpoints.values()].find((state) => state.endpoint.id === data.subscriptionId);
    data.endpoints = new Map();
    if (subscription !== undefined) {
      data.endpoints.set(subscription.endpoint.id, newEndpointState(subscription.endpoint));
    }
  }

  /** Drops the tenant's endpoints, queues, attempts and default secret; a delivery under way stops after its attempt. */
  forget(tenant: string): void {
    this.reset(tenant);
    this.tenants.delete(tenant);
  }

  private newEvent(tenant: string, { type, data }: EventContent, at: string): WebhookEvent {
    const event = { id: this.deps.idsFor(tenant).next('evt'), type, createdAt: at, data } as WebhookEvent;
    if (!this.deps.isValidEvent(event)) throw new Error(`webhook event does not match the spec: ${JSON.stringify(event)}`);
    return event;
  }

  private enqueue(state: EndpointState, event: WebhookEvent, subject: string, dueAt: number, maxAttempts: number): void {
    state.queue.add(subject, { event, body: JSON.stringify(event), maxAttempts }, dueAt);
  }

  /** Queues an event for every endpoint that wants it, due at `at`, then starts sending. */
  publish(tenant: string, content: EventContent | undefined, at: string): void {
    if (content === undefined) return;
    const data = this.tenant(tenant);
    let event: WebhookEvent | undefined;
    for (const state of data.endpoints.values()) {
      if (!state.endpoint.events.includes(content.type)) continue;
      event ??= this.newEvent(tenant, content, at);
      this.enqueue(state, event, subjectOf(event), Date.parse(at), MAX_ATTEMPTS);
      // Each event published would otherwise start a drain of every endpoint only to find it running.
      if (state.running === undefined) this.drainEndpoint(tenant, data, state).catch(this.deps.reportUnexpected);
      else state.again = true;
    }
  }

  /** The published `POST /webhooks/test`: one attempt, no retries. */
  sendTest(tenant: string, type: WebhookEventType, url: string | undefined): string {
    const data = this.tenant(tenant);
    const now = this.deps.clockFor(tenant).now();
    const event = this.newEvent(tenant, sampleEvent(type, now), isoTime(now));
    const targets = [...data.endpoints.values()].filter((state) => url === undefined || state.endpoint.url === url);
    // With no URL and no endpoint there is nowhere to send; the published answer stands all the same.
    if (targets.length === 0 && url !== undefined) {
      void this.sendOne(url, JSON.stringify(event), data.defaultSecret);
    }
    // Made-up content: it neither waits for nor holds back the events of a real order.
    for (const state of targets) this.enqueue(state, event, `test ${event.id}`, now, 1);
    this.kick(tenant);
    return this.deps.idsFor(tenant).next('wh_test');
  }

  private headers(body: string, secret: string): Record<string, string> {
    return { 'Content-Type': 'application/json', 'User-Agent': 'nimbus-sandbox', 'X-Webhook-Signature': signWebhook(body, secret) };
  }

  /** Starts sending what is due, without waiting. */
  kick(tenant: string): void {
    this.drain(tenant).catch(this.deps.reportUnexpected);
  }

  kickAll(): void {
    for (const tenant of this.tenants.keys()) this.kick(tenant);
  }

  async drainAll(): Promise<void> {
    await Promise.all([...this.tenants.keys()].map((tenant) => this.drain(tenant)));
  }

  /** Sends everything due on the tenant's clock, retries included, and resolves when done. */
  async drain(tenant: string): Promise<void> {
    const data = this.tenants.get(tenant);
    if (data === undefined) return;
    await Promise.all([...data.endpoints.values()].map((state) => this.drainEndpoint(tenant, data, state)));
  }

  private drainEndpoint(tenant: string, data: TenantWebhooks, state: EndpointState): Promise<void> {
    if (state.running !== undefined) {
      state.again = true;
      return state.running;
    }
    state.running = (async () => {
      try {
        do {
          state.again = false;
          await this.deliverDue(tenant, data, state);
        } while (state.again);
      } finally {
        state.running = undefined;
      }
    })();
    return state.running;
  }

  /** The sender's result; a sender that throws (only a custom one can) is reported and makes a failed attempt, not a lost batch. */
  private async sendOne(url: string, body: string, secret: string): Promise<SendResult> {
    try {
      return await this.deps.send(url, body, this.headers(body, secret), this.deps.timeoutMs);
    } catch (error) {
      this.deps.reportUnexpected(error);
      return { status: null, error: `The webhook sender failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async deliverDue(tenant: string, data: TenantWebhooks, state: EndpointState): Promise<void> {
    // Forgotten or reset meanwhile: asking for its clock would make the tenant a new one.
    if (this.tenants.get(tenant) !== data || data.endpoints.get(state.endpoint.id) !== state) return;
    const clock = this.deps.clockFor(tenant);
    // A clock that stands still between advances has each attempt made when it fell due, as if the
    // advance had stepped through; a running clock has it made, and finished, when it really is.
    const simulated = clock.mode !== 'real';
    const { url, secret } = state.endpoint;
    for (;;) {
      const sentAt = clock.now();
      const batch = state.queue.takeDue(sentAt, MAX_BATCH);
      if (batch.length === 0) return;
      for (const { queued } of batch) queued.attempts++;
      const results = await Promise.all(batch.map(({ queued }) => this.sendOne(url, queued.item.body, secret)));
      // Deleted or reset meanwhile: its queue and attempts are no one's any more.
      if (data.endpoints.get(state.endpoint.id) !== state) return;
      const answeredAt = clock.now();
      batch.forEach((due, index) => {
        const { item, attempts } = due.queued;
        const result = results[index]!;
        const attemptedAt = simulated ? due.readyAt : sentAt;
        const finishedAt = simulated ? due.readyAt : answeredAt;
        const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
        const retry = !succeeded && attempts < item.maxAttempts;
        const retryAt = finishedAt + 1000 * 2 ** (attempts - 1);
        state.queue.settle(due, retry ? { retryAt } : { doneAt: finishedAt });
        this.record(state, {
          eventId: item.event.id,
          eventType: item.event.type,
          attempt: attempts,
          attemptedAt: isoTime(attemptedAt),
          succeeded,
          responseStatus: result.status,
          error: succeeded ? null : result.error,
          nextRetryAt: retry ? isoTime(retryAt) : null,
          deadLettered: !succeeded && !retry,
        });
      });
    }
  }

  private record(state: EndpointState, attempt: WebhookDelivery): void {
    const last = state.attempts.at(-1);
    if (last !== undefined && last.attemptedAt > attempt.attemptedAt) state.attemptsSorted = false;
    state.attempts.push(attempt);
  }
}

function newEndpointState(endpoint: WebhookEndpoint): EndpointState {
  return { endpoint, queue: new DeliveryQueue(), attempts: [], attemptsSorted: true };
}

/** What an event is about: an endpoint gets the events of one subject one at a time, in order. */
export function subjectOf({ data }: WebhookEvent): string {
  return 'orderId' in data ? `order ${data.orderId}` : `refill ${data.refillId}`;
}

/** Events to one endpoint sent together, pipelined: at most this many. */
export const MAX_BATCH = 32;

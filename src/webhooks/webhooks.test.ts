import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isoTime, ManualClock } from '../clock.ts';
import { KeyedLock } from '../concurrency/keyed-lock.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { testDataOrders } from '../domain/test-data.ts';
import { randomIds } from '../ids.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { schemaTest } from '../validation.ts';
import { PUBLISHED_EVENT_TYPES, type EventContent, type WebhookEvent, type WebhookEventType } from './events.ts';
import { verifyWebhookSignature } from './signature.ts';
import { UndiciSender } from './undici-sender.ts';
import { DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_ENDPOINTS, WebhookService, type SendResult, type WebhookDelivery, type WebhookEndpoint, type WebhookSender } from './webhook-service.ts';

// ---------------------------------------------------------------------------------------------
// A real receiver on loopback
// ---------------------------------------------------------------------------------------------

/** How the receiver answers one request: a status, never (`hang`), or when released (`hold`). */
type Reply = number | 'hang' | 'hold';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived. */
  raw: Buffer;
  body: string;
}

interface Receiver {
  url: string;
  requests: Received[];
  /** Requests answered with `hold` and not yet released. */
  readonly holding: number;
  /** Resolves once at least `count` requests have arrived in full. */
  received(count: number): Promise<void>;
  /** Answers every held request with 200. */
  release(): void;
  close(): Promise<void>;
}

/** Answers the n-th request with `replies[n]`, and every later one with `otherwise`. Records before answering. */
async function startReceiver(replies: readonly Reply[] = [], otherwise: Reply = 200): Promise<Receiver> {
  const requests: Received[] = [];
  const held: ServerResponse[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = replies[requests.length] ?? otherwise;
      const raw = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', headers: req.headers, raw, body: raw.toString('utf8') });
      for (const waiter of waiters) {
        if (requests.length >= waiter.count) {
          waiters.delete(waiter);
          waiter.resolve();
        }
      }
      if (reply === 'hang') return;
      if (reply === 'hold') {
        held.push(res);
        return;
      }
      res.writeHead(reply, { 'Content-Type': 'text/plain' }).end(`answered ${reply}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/nimbus`,
    requests,
    get holding() { return held.length; },
    received: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.add({ count, resolve }))),
    release: () => {
      for (const res of held.splice(0)) res.writeHead(200).end('ok');
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  receivers.push(receiver);
  return receiver;
}

/** A real HTTP sender, with a way to wait for every post it started (test webhooks to unknown URLs are not queued). */
function trackingSender(): { send: WebhookSender; settled(): Promise<void> } {
  const inFlight = new Set<Promise<SendResult>>();
  const sender = new UndiciSender();
  senders.push(sender);
  return {
    send: (url, body, headers, timeoutMs) => {
      const sending = sender.send(url, body, headers, timeoutMs);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The sandbox, driven in-process
// ---------------------------------------------------------------------------------------------

/** A Monday, so the delivery estimate is fixed. */
const T0 = Date.parse('2025-02-03T15:00:00Z');
const KEY_A = 'key_tenant_a';
const KEY_B = 'key_tenant_b';
const DAY = 86_400;
const ORDER_REQUEST = {
  patientId: 'pat_test_001',
  prescriptionId: 'rx_test_001',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701' },
};

const isWebhookEvent = schemaTest('WebhookEvent');
const isWebhookEndpoint = schemaTest('WebhookEndpoint');
const isWebhookEndpointList = schemaTest('WebhookEndpointList');
const isWebhookDeliveryList = schemaTest('WebhookDeliveryList');
const isWebhookTestResult = schemaTest('WebhookTestResult');

let sandbox: Sandbox | undefined;
let receivers: Receiver[] = [];
let senders: UndiciSender[] = [];

afterEach(async () => {
  const closing = [sandbox?.close(), ...senders.map((sender) => sender.close())];
  sandbox = undefined;
  senders = [];
  await Promise.all(receivers.map((receiver) => receiver.close()));
  receivers = [];
  await Promise.all(closing);
});

function start(options: SandboxOptions = {}): Sandbox {
  sandbox = createSandbox({ clockMode: 'virtual', sweepIntervalMs: 0, startTime: T0, ...options });
  return sandbox;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, key = KEY_A): Promise<Answer> {
  const headers: Record<string, string> = { 'X-API-Key': key };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await sandbox!.request(path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

async function register(url: string, events?: WebhookEventType[], key = KEY_A): Promise<WebhookEndpoint> {
  const answer = await call('POST', '/sandbox/webhook-endpoints', events === undefined ? { url } : { url, events }, key);
  expect(answer.status).toBe(201);
  return answer.body as WebhookEndpoint;
}

async function createOrder(key = KEY_A): Promise<{ id: string; createdAt: string }> {
  const answer = await call('POST', '/orders', ORDER_REQUEST, key);
  expect(answer.status).toBe(201);
  return answer.body;
}

async function advance(seconds: number, key = KEY_A): Promise<void> {
  const answer = await call('POST', '/sandbox/clock/advance', { seconds }, key);
  expect(answer.status).toBe(200);
}

async function deliveries(endpointId: string, key = KEY_A): Promise<WebhookDelivery[]> {
  const answer = await call('GET', `/sandbox/webhook-endpoints/${endpointId}/deliveries`, undefined, key);
  expect(answer.status).toBe(200);
  expect(isWebhookDeliveryList(answer.body)).toBe(true);
  return answer.body.data;
}

async function defaultSecret(key = KEY_A): Promise<string> {
  return (await call('GET', '/sandbox/webhook-endpoints', undefined, key)).body.defaultSecret;
}

/** Every event the receiver got, each checked against the spec's WebhookEvent schema. */
function eventsOf(receiver: Receiver): WebhookEvent[] {
  return receiver.requests.map((request) => {
    const event: unknown = JSON.parse(request.body);
    expect(isWebhookEvent(event), request.body).toBe(true);
    return event as WebhookEvent;
  });
}

const typesOf = (receiver: Receiver) => eventsOf(receiver).map((event) => event.type);
const orderIdsOf = (receiver: Receiver) => eventsOf(receiver).map((event) => (event.data as { orderId: string }).orderId);
const signatureOf = (request: Received) => request.headers['x-webhook-signature'] as string | undefined;
const plusSeconds = (iso: string, seconds: number) => isoTime(Date.parse(iso) + seconds * 1000);

// ---------------------------------------------------------------------------------------------

describe('registering a webhook endpoint', () => {
  it('answers 201 with a we_ id, a whsec_ secret, the url and the published events by default', async () => {
    start();
    const answer = await call('POST', '/sandbox/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks' });
    expect(answer.status).toBe(201);
    expect(isWebhookEndpoint(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({ url: 'http://127.0.0.1:9/hooks', events: ['order.created', 'order.fulfilled', 'refill.ready'] });
    expect(answer.body.id).toMatch(/^we_[A-Za-z0-9]+$/);
    expect(answer.body.secret).toMatch(/^whsec_[A-Za-z0-9]+$/);
  });

  it('keeps the events it is given', async () => {
    start();
    const endpoint = await register('http://127.0.0.1:9/hooks', ['order.processing', 'order.cancelled']);
    expect(endpoint.events).toEqual(['order.processing', 'order.cancelled']);
  });

  it('gives each endpoint its own secret', async () => {
    start();
    const first = await register('http://127.0.0.1:9/a');
    const second = await register('http://127.0.0.1:9/b');
    expect(first.secret).not.toBe(second.secret);
  });

  it('lists the endpoint with the key\'s default secret', async () => {
    start();
    const endpoint = await register('http://127.0.0.1:9/hooks');
    const list = await call('GET', '/sandbox/webhook-endpoints');
    expect(list.status).toBe(200);
    expect(isWebhookEndpointList(list.body)).toBe(true);
    expect(list.body.data).toEqual([endpoint]);
    expect(list.body.defaultSecret).not.toBe(endpoint.secret);
  });

  it.each([
    ['an ftp:// url', { url: 'ftp://example.com/hooks' }, 'url'],
    ['a url that is not a URL', { url: 'not a url' }, 'url'],
    ['an empty url', { url: '' }, 'url'],
    ['no url', {}, 'url'],
    ['an unknown event type', { url: 'http://127.0.0.1:9/hooks', events: ['order.shipped'] }, 'events.0'],
    ['an empty events array', { url: 'http://127.0.0.1:9/hooks', events: [] }, 'events'],
    ['duplicate events', { url: 'http://127.0.0.1:9/hooks', events: ['order.created', 'order.created'] }, 'events'],
    ['a url with user:password@', { url: 'http://hook:s3cret@127.0.0.1:9/hooks' }, 'url'],
    ['a url with user@', { url: 'http://hook@127.0.0.1:9/hooks' }, 'url'],
    ['the metadata address 169.254.169.254', { url: 'http://169.254.169.254/latest/meta-data/' }, 'url'],
    ['169.254.169.254 written as 0xA9FEA9FE', { url: 'http://0xA9FEA9FE/' }, 'url'],
    ['169.254.169.254 as IPv4-mapped IPv6', { url: 'http://[::ffff:169.254.169.254]/' }, 'url'],
    ['an IPv6 link-local host', { url: 'http://[fe80::1]:8080/' }, 'url'],
  ])('refuses %s with 422 naming the field', async (_case, body, field) => {
    start();
    const answer = await call('POST', '/sandbox/webhook-endpoints', body);
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('validation_error');
    expect(answer.body.error.details.field).toBe(field);
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toEqual([]);
  });
});

describe('delivering order events', () => {
  it('sends order.created with the published body after POST /orders', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const order = await createOrder();
    await sandbox!.sweep();
    const [event, ...rest] = eventsOf(receiver);
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_[A-Za-z0-9]+$/),
      type: 'order.created',
      createdAt: order.createdAt,
      data: { orderId: order.id, patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status: 'pending' },
    });
  });

  it('posts the event as application/json to the endpoint\'s url', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.method).toBe('POST');
    expect(receiver.requests[0]!.headers['content-type']).toMatch(/^application\/json\b/);
  });

  it('signs the raw body with the endpoint\'s secret in X-Webhook-Signature', async () => {
    start();
    const receiver = await startReceiver();
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    const request = receiver.requests[0]!;
    expect(verifyWebhookSignature(request.raw, signatureOf(request), endpoint.secret)).toBe(true);
    expect(verifyWebhookSignature(request.raw, signatureOf(request), await defaultSecret())).toBe(false);
  });

  it('records a successful attempt in the endpoint\'s deliveries', async () => {
    start();
    const receiver = await startReceiver();
    const endpoint = await register(receiver.url);
    const order = await createOrder();
    await sandbox!.sweep();
    const event = eventsOf(receiver)[0]!;
    const request = receiver.requests[0]!;
    expect(await deliveries(endpoint.id)).toEqual([{
      eventId: event.id, eventType: 'order.created', body: request.body, signature: signatureOf(request), attempt: 1, attemptedAt: order.createdAt,
      succeeded: true, responseStatus: 200, error: null, nextRetryAt: null, deadLettered: false,
    }]);
  });

  it('lists a delivery\'s body and signature so that the signature verifies over the body with the endpoint\'s secret', async () => {
    start();
    const receiver = await startReceiver();
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    const [delivery] = await deliveries(endpoint.id);
    expect(verifyWebhookSignature(delivery!.body, delivery!.signature, endpoint.secret)).toBe(true);
    expect(verifyWebhookSignature(delivery!.body, delivery!.signature, await defaultSecret())).toBe(false);
    expect(JSON.parse(delivery!.body)).toMatchObject({ id: delivery!.eventId, type: delivery!.eventType });
  });

  it('lists one event to two endpoints with the same body, each signed with its endpoint\'s secret', async () => {
    start();
    const receivers = [await startReceiver(), await startReceiver()];
    const endpoints = [await register(receivers[0]!.url), await register(receivers[1]!.url)];
    await createOrder();
    await sandbox!.sweep();
    const [first, second] = await Promise.all(endpoints.map(async (endpoint) => (await deliveries(endpoint.id))[0]!));
    expect(second!.body).toBe(first!.body);
    expect(second!.signature).not.toBe(first!.signature);
    endpoints.forEach((endpoint, index) => {
      const delivery = [first, second][index]!;
      expect(verifyWebhookSignature(delivery.body, delivery.signature, endpoint.secret)).toBe(true);
      expect(receivers[index]!.requests[0]!.body).toBe(delivery.body);
    });
  });

  it('delivers order.created then order.fulfilled before a five-day clock advance returns', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    await createOrder();
    await advance(5 * DAY);
    // No sweep: the advance itself must have finished the deliveries.
    expect(typesOf(receiver)).toEqual(['order.created', 'order.fulfilled']);
  });

  it('puts the order\'s tracking number and delivery estimate in order.fulfilled, dated when it shipped', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const { id } = await createOrder();
    await advance(5 * DAY);
    const order = (await call('GET', `/orders/${id}`)).body;
    const fulfilled = eventsOf(receiver).find((event) => event.type === 'order.fulfilled');
    expect(fulfilled).toMatchObject({
      // Processing after 1 h, shipped 24 h later.
      createdAt: '2025-02-04T16:00:00Z',
      data: { orderId: id, trackingNumber: order.trackingNumber, estimatedDeliveryDate: order.estimatedDeliveryDate, status: 'shipped' },
    });
    expect(order.trackingNumber).toEqual(expect.any(String));
    expect(order.estimatedDeliveryDate).toBe('2025-02-07');
  });

  it('does not send order.processing or order.delivered to an endpoint that did not opt in', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const { id } = await createOrder();
    await advance(5 * DAY);
    expect((await call('GET', `/orders/${id}`)).body.status).toBe('delivered');
    expect(typesOf(receiver)).not.toContain('order.processing');
    expect(typesOf(receiver)).not.toContain('order.delivered');
  });

  it('sends order.processing and order.delivered, in order, to an endpoint that opted in', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url, ['order.processing', 'order.delivered']);
    const { id } = await createOrder();
    await advance(5 * DAY);
    const events = eventsOf(receiver);
    expect(events.map((event) => event.type)).toEqual(['order.processing', 'order.delivered']);
    expect(events.map((event) => event.data)).toEqual([{ orderId: id, status: 'processing' }, { orderId: id, status: 'delivered' }]);
  });

  it('sends order.cancelled to an endpoint that opted in, after DELETE /orders/{orderId}', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url, ['order.cancelled']);
    const { id } = await createOrder();
    expect((await call('DELETE', `/orders/${id}`)).status).toBe(200);
    await sandbox!.sweep();
    expect(eventsOf(receiver)).toMatchObject([{ type: 'order.cancelled', data: { orderId: id, status: 'cancelled' } }]);
  });

  it('does not send order.cancelled to an endpoint with the published events', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const { id } = await createOrder();
    await call('DELETE', `/orders/${id}`);
    await sandbox!.sweep();
    expect(typesOf(receiver)).toEqual(['order.created']);
  });

  it('gives every event its own evt_ id', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url, ['order.created', 'order.processing', 'order.fulfilled', 'order.delivered']);
    await createOrder();
    await advance(5 * DAY);
    const ids = eventsOf(receiver).map((event) => event.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it('does not hold up POST /orders while the receiver is slow', async () => {
    // A generous timeout: if the create waited for the delivery, the attempt would time out
    // and be recorded as failed before the create answered.
    start({ webhookTimeoutMs: 5_000 });
    const receiver = await startReceiver([], 'hold');
    const endpoint = await register(receiver.url);
    const creating = call('POST', '/orders', ORDER_REQUEST);
    await receiver.received(1);
    const created = await creating;
    expect(created.status).toBe(201);
    // The create answered while the receiver still holds the delivery unanswered.
    expect(receiver.holding).toBe(1);
    expect(await deliveries(endpoint.id)).toEqual([]);
    receiver.release();
    await sandbox!.sweep();
    expect((await deliveries(endpoint.id)).map((attempt) => attempt.succeeded)).toEqual([true]);
  });
});

describe('retries', () => {
  it('retries after a 500 one second later, then two seconds later, until a 2xx', async () => {
    start();
    const receiver = await startReceiver([500, 500], 200);
    const endpoint = await register(receiver.url);
    const order = await createOrder();
    await sandbox!.sweep();
    await advance(1);
    await advance(2);
    const attempts = await deliveries(endpoint.id);
    expect(attempts.map(({ attempt, succeeded, responseStatus }) => ({ attempt, succeeded, responseStatus }))).toEqual([
      { attempt: 1, succeeded: false, responseStatus: 500 },
      { attempt: 2, succeeded: false, responseStatus: 500 },
      { attempt: 3, succeeded: true, responseStatus: 200 },
    ]);
    expect(attempts.map((a) => a.attemptedAt)).toEqual([order.createdAt, plusSeconds(order.createdAt, 1), plusSeconds(order.createdAt, 3)]);
    expect(attempts.map((a) => a.nextRetryAt)).toEqual([plusSeconds(attempts[0]!.attemptedAt, 1), plusSeconds(attempts[1]!.attemptedAt, 2), null]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('says why a failed attempt failed', async () => {
    start();
    const receiver = await startReceiver([500], 200);
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    const [attempt] = await deliveries(endpoint.id);
    expect(attempt!.error).toMatch(/500/);
    expect(attempt!.deadLettered).toBe(false);
  });

  it('does not retry before the retry is due', async () => {
    start();
    const receiver = await startReceiver([500, 500], 200);
    await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    await advance(1);
    expect(receiver.requests).toHaveLength(2);
    // The third attempt is due two seconds after the second, not one.
    await advance(1);
    expect(receiver.requests).toHaveLength(2);
    await advance(1);
    expect(receiver.requests).toHaveLength(3);
  });

  it('resends the same event id with a byte-identical body and signature', async () => {
    start();
    const receiver = await startReceiver([500, 500], 200);
    await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    await advance(1);
    await advance(2);
    expect(receiver.requests).toHaveLength(3);
    const [first, ...retries] = receiver.requests;
    for (const retry of retries) {
      expect(retry.raw.equals(first!.raw)).toBe(true);
      expect(signatureOf(retry)).toBe(signatureOf(first!));
    }
    expect(new Set(eventsOf(receiver).map((event) => event.id)).size).toBe(1);
  });

  it('lists every attempt of an event with the one body and signature sent each time', async () => {
    start();
    const receiver = await startReceiver([500, 500], 200);
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    await advance(1);
    await advance(2);
    const attempts = await deliveries(endpoint.id);
    expect(attempts).toHaveLength(3);
    expect(attempts.map(({ body, signature }) => ({ body, signature }))).toEqual(receiver.requests.map((request) => ({ body: request.body, signature: signatureOf(request) })));
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    expect(new Set(attempts.map((attempt) => attempt.signature)).size).toBe(1);
  });

  it('makes exactly five attempts, 1, 2, 4 and 8 s apart, and dead-letters the last', async () => {
    start();
    const receiver = await startReceiver([], 500);
    const endpoint = await register(receiver.url, ['order.created']);
    await createOrder();
    await sandbox!.sweep();
    await advance(60);
    const attempts = await deliveries(endpoint.id);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.map((a) => a.deadLettered)).toEqual([false, false, false, false, true]);
    expect(attempts.map((a) => a.nextRetryAt)).toEqual([
      plusSeconds(attempts[0]!.attemptedAt, 1), plusSeconds(attempts[1]!.attemptedAt, 2),
      plusSeconds(attempts[2]!.attemptedAt, 4), plusSeconds(attempts[3]!.attemptedAt, 8), null,
    ]);
    expect(attempts.map((a) => a.attemptedAt)).toEqual(attempts.map((_, i) => plusSeconds(attempts[0]!.attemptedAt, 2 ** i - 1)));
    expect(receiver.requests).toHaveLength(5);
  });

  it('sends nothing more once an event is dead-lettered, however far the clock moves', async () => {
    start();
    const receiver = await startReceiver([], 500);
    const endpoint = await register(receiver.url, ['order.created']);
    await createOrder();
    await sandbox!.sweep();
    await advance(60);
    expect(receiver.requests).toHaveLength(5);
    await advance(DAY);
    await advance(30 * DAY);
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(5);
    expect(await deliveries(endpoint.id)).toHaveLength(5);
  });

  it('records an attempt the receiver never answers as failed with a timeout error', async () => {
    start({ webhookTimeoutMs: 200 });
    const receiver = await startReceiver([], 'hang');
    const endpoint = await register(receiver.url, ['order.created']);
    await createOrder();
    await sandbox!.sweep(); // waits for the one ~200 ms timeout
    expect(receiver.requests).toHaveLength(1);
    const [attempt, ...rest] = await deliveries(endpoint.id);
    expect(rest).toEqual([]);
    expect(attempt).toMatchObject({ attempt: 1, succeeded: false, responseStatus: null, deadLettered: false });
    expect(attempt!.error).toMatch(/no answer within 0\.2 s/i);
    expect(attempt!.nextRetryAt).toBe(plusSeconds(attempt!.attemptedAt, 1));
  });

  it('records a refused connection as a failed attempt with no status', async () => {
    start();
    const gone = await startReceiver();
    await gone.close();
    const endpoint = await register(gone.url, ['order.created']);
    await createOrder();
    await sandbox!.sweep();
    const [attempt] = await deliveries(endpoint.id);
    expect(attempt).toMatchObject({ succeeded: false, responseStatus: null, error: expect.any(String) });
  });

  it('does not hold back another order\'s event while one is retried', async () => {
    start();
    const receiver = await startReceiver([500], 200);
    await register(receiver.url);
    const first = await createOrder();
    await sandbox!.sweep();
    const second = await createOrder();
    await sandbox!.sweep();
    expect(orderIdsOf(receiver)).toEqual([first.id, second.id]);
    await advance(1);
    expect(orderIdsOf(receiver)).toEqual([first.id, second.id, first.id]);
  });

  // Regression: an event that waited behind another's retries used to take its enqueue time as
  // its attempt time and schedule its retries from there, so its attempts ran back to back.
  it('gives an order\'s event that waited for the one before it its own backoff', async () => {
    start();
    const receiver = await startReceiver([], 500);
    const endpoint = await register(receiver.url, ['order.created', 'order.cancelled']);
    const order = await createOrder();
    expect((await call('DELETE', `/orders/${order.id}`)).status).toBe(200);
    // order.created is attempted at +0, +1, +3, +7 and +15 s; order.cancelled goes after the last.
    await advance(15);
    const cancelled = (await deliveries(endpoint.id)).filter((attempt) => attempt.eventType === 'order.cancelled');
    expect(cancelled.map(({ attempt, attemptedAt, nextRetryAt }) => [attempt, attemptedAt, nextRetryAt])).toEqual([
      [1, plusSeconds(order.createdAt, 15), plusSeconds(order.createdAt, 16)],
    ]);
  });

  it('sends the events due together for different orders without waiting for each answer', async () => {
    start();
    const receiver = await startReceiver(['hold'], 'hold');
    await register(receiver.url, ['order.created']);
    await createOrder();
    await receiver.received(1);
    await createOrder();
    await createOrder();
    receiver.release();
    // The second and third events went out together, so both are in before either is answered.
    await receiver.received(3);
    expect(receiver.holding).toBe(2);
    receiver.release();
    await sandbox!.sweep();
  });

  it('delivers an event sent together with a failed one without waiting for that one\'s retry', async () => {
    start();
    const receiver = await startReceiver(['hold', 500], 200);
    await register(receiver.url, ['order.created']);
    const first = await createOrder();
    await receiver.received(1);
    const second = await createOrder();
    const third = await createOrder();
    receiver.release();
    await sandbox!.sweep();
    expect(orderIdsOf(receiver)).toEqual([first.id, second.id, third.id]);
    await advance(1);
    expect(orderIdsOf(receiver)).toEqual([first.id, second.id, third.id, second.id]);
  });

  it('delivers an order\'s later event only after its earlier one succeeds, however many retries that takes', async () => {
    start();
    const receiver = await startReceiver([500, 500], 200);
    await register(receiver.url, ['order.created', 'order.cancelled']);
    const order = await createOrder();
    expect((await call('DELETE', `/orders/${order.id}`)).status).toBe(200);
    await sandbox!.sweep();
    await advance(1);
    await advance(2);
    expect(typesOf(receiver)).toEqual(['order.created', 'order.created', 'order.created', 'order.cancelled']);
  });

  // Regression (same cause): an event sent after another's retry reported its enqueue time.
  it('lists attempts with attemptedAt never going back in time', async () => {
    start();
    const receiver = await startReceiver([500], 200);
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    await createOrder();
    await advance(1);
    expect(receiver.requests).toHaveLength(3);
    const times = (await deliveries(endpoint.id)).map((a) => Date.parse(a.attemptedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('deleting an endpoint', () => {
  it('answers 200 with the id and deleted: true, and drops it from the list', async () => {
    start();
    const endpoint = await register('http://127.0.0.1:9/hooks');
    const answer = await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: endpoint.id, deleted: true });
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toEqual([]);
  });

  it('stops delivery of new events', async () => {
    start();
    const receiver = await startReceiver();
    const endpoint = await register(receiver.url);
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    await createOrder();
    await advance(5 * DAY);
    expect(receiver.requests).toEqual([]);
  });

  it('stops the retries of an event already failing', async () => {
    start();
    const receiver = await startReceiver([], 500);
    const endpoint = await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(1);
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    await advance(60);
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends nothing more of its queue when deleted while a delivery is in flight', async () => {
    const sender = trackingSender();
    start({ webhookSender: sender.send });
    const receiver = await startReceiver(['hold'], 200);
    const endpoint = await register(receiver.url);
    await createOrder();
    await receiver.received(1);
    await createOrder(); // queued behind the held delivery
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    receiver.release();
    await sender.settled();
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(1);
  });

  it('makes its deliveries a 404', async () => {
    start();
    const endpoint = await register('http://127.0.0.1:9/hooks');
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    const answer = await call('GET', `/sandbox/webhook-endpoints/${endpoint.id}/deliveries`);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });

  it('answers 404 when deleted again', async () => {
    start();
    const endpoint = await register('http://127.0.0.1:9/hooks');
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    expect((await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`)).status).toBe(404);
  });

  it('leaves the key\'s other endpoints receiving', async () => {
    start();
    const kept = await startReceiver();
    const dropped = await startReceiver();
    await register(kept.url);
    const endpoint = await register(dropped.url);
    await call('DELETE', `/sandbox/webhook-endpoints/${endpoint.id}`);
    await createOrder();
    await sandbox!.sweep();
    expect(typesOf(kept)).toEqual(['order.created']);
    expect(dropped.requests).toEqual([]);
  });
});

describe('tenant isolation', () => {
  it('never sends one key\'s events to another key\'s endpoint', async () => {
    start();
    const receiverA = await startReceiver();
    const receiverB = await startReceiver();
    await register(receiverA.url, undefined, KEY_A);
    await register(receiverB.url, undefined, KEY_B);
    const order = await createOrder(KEY_A);
    await advance(5 * DAY, KEY_A);
    await sandbox!.sweep();
    expect(orderIdsOf(receiverA)).toEqual([order.id, order.id]);
    expect(receiverB.requests).toEqual([]);
  });

  it('does not list another key\'s endpoint', async () => {
    start();
    await register('http://127.0.0.1:9/b', undefined, KEY_B);
    expect((await call('GET', '/sandbox/webhook-endpoints', undefined, KEY_A)).body.data).toEqual([]);
  });

  it('answers 404 when a key deletes another key\'s endpoint, and leaves it in place', async () => {
    start();
    const endpointB = await register('http://127.0.0.1:9/b', undefined, KEY_B);
    const answer = await call('DELETE', `/sandbox/webhook-endpoints/${endpointB.id}`, undefined, KEY_A);
    expect(answer.status).toBe(404);
    expect((await call('GET', '/sandbox/webhook-endpoints', undefined, KEY_B)).body.data).toEqual([endpointB]);
  });

  it('answers 404 when a key reads another key\'s deliveries', async () => {
    start();
    const endpointB = await register('http://127.0.0.1:9/b', undefined, KEY_B);
    expect((await call('GET', `/sandbox/webhook-endpoints/${endpointB.id}/deliveries`, undefined, KEY_A)).status).toBe(404);
  });

  it('does not send a key\'s test webhook to another key\'s endpoint', async () => {
    start();
    const receiverB = await startReceiver();
    await register(receiverB.url, undefined, KEY_B);
    const answer = await call('POST', '/webhooks/test', {}, KEY_A);
    expect(answer.status).toBe(200);
    await sandbox!.sweep();
    expect(receiverB.requests).toEqual([]);
  });

  it('gives each key its own default secret', async () => {
    start();
    expect(await defaultSecret(KEY_A)).not.toBe(await defaultSecret(KEY_B));
  });
});

describe('destinations webhooks are never sent to', () => {
  it.each([
    ['http://hook:s3cret@127.0.0.1:9/', 'Must be an http or https URL, without credentials (user:password@)'],
    ['http://169.254.169.254/', 'Must not be a link-local address (169.254.0.0/16 or fe80::/10)'],
    ['http://0xA9FEA9FE/', 'Must not be a link-local address (169.254.0.0/16 or fe80::/10)'],
  ])('refuses %s with a reason that says why', async (url, reason) => {
    start();
    for (const [path, field, body] of [['/sandbox/webhook-endpoints', 'url', { url }], ['/webhooks/test', 'webhookUrl', { webhookUrl: url }]] as const) {
      const answer = await call('POST', path, body);
      expect(answer.status, path).toBe(422);
      expect(answer.body.error).toMatchObject({ code: 'validation_error', details: { field, reason } });
    }
  });

  it('refuses a test webhook to a link-local webhookUrl with 422 naming webhookUrl, and sends nothing', async () => {
    const tracking = trackingSender();
    const sent: string[] = [];
    start({ webhookSender: (url, ...rest) => { sent.push(url); return tracking.send(url, ...rest); } });
    for (const webhookUrl of ['http://169.254.169.254/', 'http://[::ffff:169.254.169.254]/', 'http://[fe80::1]/', 'http://0xA9FEA9FE/']) {
      const answer = await call('POST', '/webhooks/test', { webhookUrl });
      expect(answer.status, webhookUrl).toBe(422);
      expect(answer.body.error).toMatchObject({ code: 'validation_error', details: { field: 'webhookUrl' } });
    }
    await tracking.settled();
    expect(sent).toEqual([]);
  });

  it('takes loopback and private hosts without webhookDenyPrivate (local use)', async () => {
    start();
    for (const url of ['http://127.0.0.1:9/h', 'http://localhost:9/h', 'http://[::1]:9/h', 'http://10.0.0.5:6379/', 'http://192.168.1.1/h']) {
      expect((await call('POST', '/sandbox/webhook-endpoints', { url })).status, url).toBe(201);
    }
  });

  describe('with webhookDenyPrivate', () => {
    it.each([
      'http://127.0.0.1:3000/h', 'http://127.1/', 'http://localhost:3000/h', 'http://api.localhost/', 'http://[::1]/', 'http://0.0.0.0/',
      'http://10.0.0.5:6379/', 'http://172.16.0.1/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://[fd00::1]/', 'http://[::ffff:10.0.0.5]/',
    ])('refuses %s on registration and as a test webhookUrl', async (url) => {
      start({ webhookDenyPrivate: true });
      const registered = await call('POST', '/sandbox/webhook-endpoints', { url });
      expect(registered.status).toBe(422);
      expect(registered.body.error).toMatchObject({ code: 'validation_error', details: { field: 'url', reason: 'Must not be a loopback or private address on this sandbox' } });
      const test = await call('POST', '/webhooks/test', { webhookUrl: url });
      expect(test.status).toBe(422);
      expect(test.body.error.details.field).toBe('webhookUrl');
      expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toEqual([]);
    });

    it('takes a public host', async () => {
      start({ webhookDenyPrivate: true });
      expect((await call('POST', '/sandbox/webhook-endpoints', { url: 'https://hooks.example.com/nimbus' })).status).toBe(201);
    });

    it('never reaches a name that resolves to loopback, though a receiver listens there, and records "Refused by policy"', async () => {
      const receiver = await startReceiver();
      const url = `http://hooks.test:${new URL(receiver.url).port}/hooks/nimbus`;
      // A name the registration cannot judge; the sender's lookup resolves it to loopback.
      const sender = new UndiciSender({ denyPrivate: true, resolve: (_name, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) });
      senders.push(sender);
      start({ webhookDenyPrivate: true, webhookSender: sender.send });
      const endpoint = await register(url, ['order.created']);
      await createOrder();
      await sandbox!.sweep();
      expect(receiver.requests).toEqual([]);
      const [attempt] = await deliveries(endpoint.id);
      expect(attempt).toMatchObject({ attempt: 1, succeeded: false, responseStatus: null, error: 'Refused by policy' });
    });

    it('records a refused connection as "Could not connect", not the address and port', async () => {
      const sender = new UndiciSender({ denyPrivate: true, resolve: (name, _options, callback) => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), []) });
      senders.push(sender);
      start({ webhookDenyPrivate: true, webhookSender: sender.send });
      const endpoint = await register('http://redis.internal.test:6379/', ['order.created']);
      await createOrder();
      await sandbox!.sweep();
      const [attempt] = await deliveries(endpoint.id);
      expect(attempt).toMatchObject({ succeeded: false, responseStatus: null, error: 'Could not connect' });
    });
  });
});

describe('the webhookUrl option', () => {
  it('sends every key\'s events to webhookUrl, signed with webhookSecret', async () => {
    const receiver = await startReceiver();
    start({ webhookUrl: receiver.url, webhookSecret: 'whsec_sharedSecret123' });
    const orderA = await createOrder(KEY_A);
    const orderB = await createOrder(KEY_B);
    await sandbox!.sweep();
    expect(orderIdsOf(receiver).sort()).toEqual([orderA.id, orderB.id].sort());
    for (const request of receiver.requests) {
      expect(verifyWebhookSignature(request.raw, signatureOf(request), 'whsec_sharedSecret123')).toBe(true);
    }
  });

  it('shows the subscription in each key\'s endpoint list with the published events, and the operator\'s secret redacted', async () => {
    start({ webhookUrl: 'http://127.0.0.1:9/all', webhookSecret: 'whsec_sharedSecret123' });
    for (const key of [KEY_A, KEY_B]) {
      const list = await call('GET', '/sandbox/webhook-endpoints', undefined, key);
      expect(isWebhookEndpointList(list.body)).toBe(true);
      expect(list.body.data).toMatchObject([{ url: 'http://127.0.0.1:9/all', secret: 'whsec_redacted', events: [...PUBLISHED_EVENT_TYPES] }]);
    }
  });

  it.each(['whsec_sharedSecret123', 'operator secret, not whsec-shaped'])('never shows the operator\'s webhookSecret %j to any key', async (secret) => {
    start({ webhookUrl: 'http://127.0.0.1:9/all', webhookSecret: secret });
    const pages: string[] = [];
    const list = async (key: string) => {
      const response = await sandbox!.request('/sandbox/webhook-endpoints', { headers: { 'X-API-Key': key } });
      const text = await response.text();
      expect(isWebhookEndpointList(JSON.parse(text)), text).toBe(true);
      pages.push(text);
    };
    for (const key of [KEY_A, KEY_B, 'key_tenant_c']) await list(key);
    await register('http://127.0.0.1:9/own');
    await call('POST', '/sandbox/reset', undefined, KEY_B);
    for (const key of [KEY_A, KEY_B]) await list(key);
    expect(pages).toHaveLength(5);
    for (const page of pages) expect(page).not.toContain(secret);
    // The key's own endpoint still shows its own secret.
    expect(JSON.parse(pages[3]!).data[1].secret).toMatch(/^whsec_(?!redacted)[A-Za-z0-9]+$/);
  });

  it('shows the subscription\'s secret when the sandbox generated it: each key\'s own, which signs what that key\'s events carry', async () => {
    const receiver = await startReceiver();
    start({ webhookUrl: receiver.url });
    const secretOf = async (key: string) => (await call('GET', '/sandbox/webhook-endpoints', undefined, key)).body.data[0].secret as string;
    const [secretA, secretB] = [await secretOf(KEY_A), await secretOf(KEY_B)];
    expect(secretA).not.toBe(secretB);
    await createOrder(KEY_A);
    await sandbox!.sweep();
    expect(verifyWebhookSignature(receiver.requests[0]!.raw, signatureOf(receiver.requests[0]!), secretA)).toBe(true);
  });

  it('keeps sending to webhookUrl, signed with webhookSecret, after POST /sandbox/reset', async () => {
    const receiver = await startReceiver();
    start({ webhookUrl: receiver.url, webhookSecret: 'whsec_sharedSecret123' });
    await createOrder();
    await sandbox!.sweep();
    await call('POST', '/sandbox/reset');
    const order = await createOrder();
    await sandbox!.sweep();
    expect(orderIdsOf(receiver)).toHaveLength(2);
    expect(orderIdsOf(receiver)[1]).toBe(order.id);
    const request = receiver.requests[1]!;
    expect(verifyWebhookSignature(request.raw, signatureOf(request), 'whsec_sharedSecret123')).toBe(true);
  });
});

describe('POST /webhooks/test', () => {
  it('answers 200 with success, the message and a wh_test_ id', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const answer = await call('POST', '/webhooks/test', {});
    expect(answer.status).toBe(200);
    expect(isWebhookTestResult(answer.body)).toBe(true);
    expect(answer.body).toEqual({ success: true, message: 'Test webhook sent', webhookId: expect.stringMatching(/^wh_test_[A-Za-z0-9]+$/) });
    await sandbox!.sweep();
  });

  it('sends order.created when no eventType is given', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    await call('POST', '/webhooks/test', {});
    await sandbox!.sweep();
    expect(typesOf(receiver)).toEqual(['order.created']);
  });

  it('accepts a request with no body at all', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    expect((await call('POST', '/webhooks/test')).status).toBe(200);
    await sandbox!.sweep();
    expect(typesOf(receiver)).toEqual(['order.created']);
  });

  it.each([
    'order.created', 'order.fulfilled', 'refill.ready', 'order.processing', 'order.delivered',
    'order.cancelled', 'refill.processing', 'refill.shipped', 'refill.cancelled',
  ] satisfies WebhookEventType[])('sends a test %s event that matches the spec', async (eventType) => {
    start();
    const receiver = await startReceiver();
    // The test webhook goes to a URL regardless of the endpoint's event list.
    await register(receiver.url, ['order.created']);
    expect((await call('POST', '/webhooks/test', { eventType })).status).toBe(200);
    await sandbox!.sweep();
    expect(typesOf(receiver)).toEqual([eventType]);
  });

  it('signs a test webhook to a registered endpoint\'s url with that endpoint\'s secret', async () => {
    start();
    const receiver = await startReceiver();
    const endpoint = await register(receiver.url);
    await call('POST', '/webhooks/test', { webhookUrl: receiver.url });
    await sandbox!.sweep();
    const request = receiver.requests[0]!;
    expect(receiver.requests).toHaveLength(1);
    expect(verifyWebhookSignature(request.raw, signatureOf(request), endpoint.secret)).toBe(true);
  });

  it('sends to every endpoint of the key when no url is given', async () => {
    start();
    const first = await startReceiver();
    const second = await startReceiver();
    await register(first.url);
    await register(second.url);
    await call('POST', '/webhooks/test', { eventType: 'refill.ready' });
    await sandbox!.sweep();
    expect(typesOf(first)).toEqual(['refill.ready']);
    expect(typesOf(second)).toEqual(['refill.ready']);
  });

  it('signs a test webhook to a url no endpoint has with the key\'s default secret', async () => {
    const sender = trackingSender();
    start({ webhookSender: sender.send });
    const receiver = await startReceiver();
    await call('POST', '/webhooks/test', { webhookUrl: receiver.url });
    // The post starts once the default secret is read from the store, a little after the answer.
    await receiver.received(1);
    await sender.settled();
    expect(typesOf(receiver)).toEqual(['order.created']);
    const request = receiver.requests[0]!;
    expect(verifyWebhookSignature(request.raw, signatureOf(request), await defaultSecret())).toBe(true);
  });

  it('sends a test webhook to a url no endpoint has once, even when it fails', async () => {
    const sender = trackingSender();
    start({ webhookSender: sender.send });
    const receiver = await startReceiver([], 500);
    await call('POST', '/webhooks/test', { webhookUrl: receiver.url });
    // The post starts once the default secret is read from the store, a little after the answer.
    await receiver.received(1);
    await sender.settled();
    expect(receiver.requests).toHaveLength(1);
    await advance(60);
    await sandbox!.sweep();
    await sender.settled();
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends a test webhook to a registered endpoint once, even when it fails', async () => {
    start();
    const receiver = await startReceiver([], 500);
    const endpoint = await register(receiver.url);
    await call('POST', '/webhooks/test', {});
    await sandbox!.sweep();
    await advance(60);
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveries(endpoint.id)).toMatchObject([{ attempt: 1, succeeded: false, responseStatus: 500, nextRetryAt: null }]);
  });

  it('answers the published 200 when there is no url and no endpoint to send to', async () => {
    start();
    const answer = await call('POST', '/webhooks/test', {});
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, message: 'Test webhook sent' });
  });

  it('refuses an unknown eventType with 422 naming eventType', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    const answer = await call('POST', '/webhooks/test', { eventType: 'order.shipped' });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'validation_error', details: { field: 'eventType' } });
    await sandbox!.sweep();
    expect(receiver.requests).toEqual([]);
  });

  it('refuses a url that does not parse, though it matches the pattern, with 422 naming url', async () => {
    start();
    const answer = await call('POST', '/sandbox/webhook-endpoints', { url: 'http://[zz]/' });
    expect([answer.status, answer.body.error?.details?.field]).toEqual([422, 'url']);
  });

  it('refuses a webhookUrl that is not http(s) with 422 naming webhookUrl', async () => {
    start();
    const answer = await call('POST', '/webhooks/test', { webhookUrl: 'ftp://example.com/hooks' });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details.field).toBe('webhookUrl');
  });

  it('counts toward the webhooks rate limit: the 51st in a minute is a 429 and is not sent', async () => {
    start({ realClock: new ManualClock(0) });
    const receiver = await startReceiver();
    await register(receiver.url);
    for (let i = 0; i < 50; i++) expect((await call('POST', '/webhooks/test', {})).status).toBe(200);
    const refused = await call('POST', '/webhooks/test', {});
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(refused.headers.get('retry-after')).toBe('60');
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(50);
  });
});

describe('POST /sandbox/reset', () => {
  it('removes the key\'s endpoints', async () => {
    start();
    await register('http://127.0.0.1:9/hooks');
    expect((await call('POST', '/sandbox/reset')).status).toBe(200);
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toEqual([]);
  });

  it('sends nothing more to a removed endpoint', async () => {
    start();
    const receiver = await startReceiver();
    await register(receiver.url);
    await call('POST', '/sandbox/reset');
    await createOrder();
    await advance(5 * DAY);
    expect(receiver.requests).toEqual([]);
  });

  it('drops retries still pending', async () => {
    start();
    const receiver = await startReceiver([], 500);
    await register(receiver.url);
    await createOrder();
    await sandbox!.sweep();
    await call('POST', '/sandbox/reset');
    await advance(60);
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends nothing more that was queued when it comes during a delivery in flight', async () => {
    const sender = trackingSender();
    start({ webhookSender: sender.send });
    const receiver = await startReceiver(['hold'], 200);
    await register(receiver.url);
    await createOrder();
    await receiver.received(1);
    await createOrder(); // queued behind the held delivery
    await call('POST', '/sandbox/reset');
    receiver.release();
    await sender.settled();
    await sandbox!.sweep();
    expect(receiver.requests).toHaveLength(1);
  });

  it('keeps the default secret', async () => {
    start();
    const before = (await call('GET', '/sandbox/webhook-endpoints')).body.defaultSecret;
    await call('POST', '/sandbox/reset');
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.defaultSecret).toBe(before);
  });

  it('keeps the webhookUrl subscription\'s id and generated secret', async () => {
    start({ webhookUrl: 'http://127.0.0.1:9/all' });
    const before = (await call('GET', '/sandbox/webhook-endpoints')).body.data;
    await call('POST', '/sandbox/reset');
    expect((await call('GET', '/sandbox/webhook-endpoints')).body.data).toEqual(before);
  });

  it('leaves other keys\' endpoints alone', async () => {
    start();
    const endpointB = await register('http://127.0.0.1:9/b', undefined, KEY_B);
    await call('POST', '/sandbox/reset', undefined, KEY_A);
    expect((await call('GET', '/sandbox/webhook-endpoints', undefined, KEY_B)).body.data).toEqual([endpointB]);
  });
});

describe('WebhookService delivery loop', () => {
  const ORDER_CREATED = (orderId: string): EventContent => ({
    type: 'order.created', data: { orderId, patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status: 'pending' },
  });

  /** Lets every pending promise reaction run; the fake sender below never waits on I/O. */
  async function flushMicrotasks(): Promise<void> {
    for (let i = 0; i < 200; i++) await Promise.resolve();
  }

  /** A tenant set up as the sandbox does it: in the store first, then its outboxes loaded. */
  async function tenantIn(service: WebhookService, store: MemoryStore): Promise<void> {
    await store.ensureTenant('tenant', () => ({ settings: { defaultSecret: 'whsec_testDefaultSecret', clockAdvancedMs: 0 }, orders: [], endpoints: [] }));
    await service.load('tenant');
  }

  async function serviceWith(clock: ManualClock, send: WebhookSender, reportUnexpected: (error: unknown) => void = (error) => { throw error; }) {
    const store = new MemoryStore();
    const service = new WebhookService({
      maxEndpoints: DEFAULT_MAX_ENDPOINTS, maxDeliveries: DEFAULT_MAX_DELIVERIES,
      store, lock: new KeyedLock<string>(), idsFor: () => randomIds(), clockFor: () => clock, send, timeoutMs: 1_000, isValidEvent: isWebhookEvent, reportUnexpected,
    });
    await tenantIn(service, store);
    const endpoint = await service.createEndpoint('tenant', 'http://127.0.0.1:9/hooks');
    return { service, attempts: () => service.deliveries('tenant', endpoint.id) };
  }

  const orderIdOf = (body: string): string => JSON.parse(body).data.orderId;

  it('dead-letters at once, and logs, an event past the events a key may have waiting', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryStore();
    const service = new WebhookService({
      maxEndpoints: DEFAULT_MAX_ENDPOINTS, maxDeliveries: DEFAULT_MAX_DELIVERIES, maxWaitingEvents: 3,
      store, lock: new KeyedLock<string>(), idsFor: () => randomIds(), clockFor: () => clock, timeoutMs: 1_000, isValidEvent: isWebhookEvent,
      reportUnexpected: (error) => { throw error; },
      // A receiver that never answers: nothing that is queued ever leaves.
      send: () => new Promise<SendResult>(() => {}),
    });
    await tenantIn(service, store);
    const endpoint = await service.createEndpoint('tenant', 'http://127.0.0.1:9/hooks');
    for (const orderId of ['ord_1', 'ord_2', 'ord_3', 'ord_4', 'ord_5']) service.publish('tenant', ORDER_CREATED(orderId), isoTime(T0));
    service.sendTest('tenant', 'order.created', undefined);
    await flushMicrotasks();
    const attempts = await service.deliveries('tenant', endpoint.id);
    expect(attempts.map(({ attempt, succeeded, deadLettered, error }) => ({ attempt, succeeded, deadLettered, error }))).toEqual(Array.from({ length: 3 }, () => ({
      attempt: 1, succeeded: false, deadLettered: true, error: "Not sent: 3 events were already waiting for this API key's endpoints",
    })));
    // What would have been sent: the event's body, signed with the endpoint's secret.
    expect(attempts.map(({ body }) => orderIdOf(body))).toEqual(['ord_4', 'ord_5', testDataOrders()[0]!.order.id]);
    for (const { body, signature } of attempts) expect(verifyWebhookSignature(body, signature, endpoint.secret)).toBe(true);
  });

  it('records a sender that throws as a failed attempt, retried, and delivers the events sent with it once', async () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const reported: unknown[] = [];
    let releaseWarmUp: (result: SendResult) => void = () => {};
    const { service, attempts } = await serviceWith(clock, (_url, body) => {
      const orderId = orderIdOf(body);
      sent.push(orderId);
      if (orderId === 'ord_warm') return new Promise((resolve) => { releaseWarmUp = resolve; });
      if (orderId === 'ord_a' && sent.filter((id) => id === 'ord_a').length === 1) return Promise.reject(new Error('sender bug'));
      return Promise.resolve({ status: 200, error: null });
    }, (error) => reported.push(error));
    service.publish('tenant', ORDER_CREATED('ord_warm'), isoTime(T0));
    // A delivery run starts a few microtasks after the publish that asks for it: let the warm-up go out alone.
    await flushMicrotasks();
    service.publish('tenant', ORDER_CREATED('ord_a'), isoTime(T0));
    service.publish('tenant', ORDER_CREATED('ord_b'), isoTime(T0));
    releaseWarmUp({ status: 200, error: null });
    await flushMicrotasks();
    service.kick('tenant');
    await flushMicrotasks();
    expect(sent).toEqual(['ord_warm', 'ord_a', 'ord_b']);
    expect((await attempts()).map(({ succeeded, error, nextRetryAt }) => ({ succeeded, error, nextRetryAt }))).toEqual([
      { succeeded: true, error: null, nextRetryAt: null },
      { succeeded: false, error: 'The webhook sender failed: sender bug', nextRetryAt: isoTime(T0 + 1_000) },
      { succeeded: true, error: null, nextRetryAt: null },
    ]);
    expect(reported).toHaveLength(1);
    clock.advance(1_000);
    await service.drain('tenant');
    expect(sent).toEqual(['ord_warm', 'ord_a', 'ord_b', 'ord_a']);
  });

  it('sends a test webhook at once while an event about the order it borrows waits for a retry', async () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const { service } = await serviceWith(clock, async (_url, body) => {
      sent.push(body);
      return sent.length === 1 ? { status: 500, error: 'Answered 500' } : { status: 200, error: null };
    });
    service.publish('tenant', ORDER_CREATED(testDataOrders()[0]!.order.id), isoTime(T0));
    await flushMicrotasks();
    service.sendTest('tenant', 'order.created', undefined);
    await flushMicrotasks();
    expect(sent.map((body) => (JSON.parse(body) as WebhookEvent).data)).toMatchObject([
      { orderId: testDataOrders()[0]!.order.id },
      { orderId: testDataOrders()[0]!.order.id },
    ]);
    expect(sent[0]).not.toBe(sent[1]);
  });

  describe('with a running clock', () => {
    const runningClock = () => Object.assign(new ManualClock(T0), { mode: 'real' as const });
    const summary = (attempts: WebhookDelivery[]) => attempts.map(({ attempt, attemptedAt, nextRetryAt }) => [attempt, attemptedAt, nextRetryAt]);

    it('records an attempt when it is made, and retries 1 s after its answer came', async () => {
      const clock = runningClock();
      const { service, attempts } = await serviceWith(clock, async () => {
        clock.advance(10_000); // a receiver that takes 10 s to fail
        return { status: 500, error: 'Answered 500' };
      });
      service.publish('tenant', ORDER_CREATED('ord_a'), isoTime(T0));
      await service.drain('tenant');
      clock.advance(1_000);
      await service.drain('tenant');
      expect(summary(await attempts())).toEqual([
        [1, isoTime(T0), isoTime(T0 + 11_000)],
        [2, isoTime(T0 + 11_000), isoTime(T0 + 23_000)],
      ]);
    });

    it('records an event sent after its due time at the time it is sent, with its backoff from there', async () => {
      const clock = runningClock();
      const { service, attempts } = await serviceWith(clock, async () => ({ status: 500, error: 'Answered 500' }));
      service.publish('tenant', ORDER_CREATED('ord_a'), isoTime(T0 - 15_000));
      await service.drain('tenant');
      expect(summary(await attempts())).toEqual([[1, isoTime(T0), isoTime(T0 + 1_000)]]);
    });
  });

  it('records each attempt at the time it fell due, in time order, even when sent together after the clock jumped', async () => {
    const clock = new ManualClock(T0);
    let releaseWarmUp: (result: SendResult) => void = () => {};
    let failedOnce = false;
    const { service, attempts } = await serviceWith(clock, (_url, body) => {
      const orderId = orderIdOf(body);
      if (orderId === 'ord_warm') return new Promise((resolve) => { releaseWarmUp = resolve; });
      if (orderId === 'ord_a' && !failedOnce) {
        failedOnce = true;
        return Promise.resolve({ status: 500, error: 'Answered 500' });
      }
      return Promise.resolve({ status: 200, error: null });
    });
    service.publish('tenant', ORDER_CREATED('ord_warm'), isoTime(T0));
    // A delivery run starts a few microtasks after the publish that asks for it: let the warm-up go out alone.
    await flushMicrotasks();
    service.publish('tenant', ORDER_CREATED('ord_a'), isoTime(T0 + 1_000));
    service.publish('tenant', ORDER_CREATED('ord_b'), isoTime(T0 + 3_000));
    clock.advance(5_000);
    releaseWarmUp({ status: 200, error: null });
    await service.drain('tenant');
    expect((await attempts()).map(({ attempt, attemptedAt, nextRetryAt }) => [attempt, attemptedAt, nextRetryAt])).toEqual([
      [1, isoTime(T0), null],
      [1, isoTime(T0 + 1_000), isoTime(T0 + 2_000)],
      [2, isoTime(T0 + 2_000), null],
      [1, isoTime(T0 + 3_000), null],
    ]);
  });

  // Regression: the delivery loop used to stay marked as running for a tick after it had
  // finished, and an event published in that tick waited for some later kick (the next event,
  // a clock advance, a sweep). Publishing the second event after 0…11 microtasks covers the gap.
  it('sends an event published just as the previous delivery finishes, with no further kick', async () => {
    const lost: number[] = [];
    const ids = randomIds();
    for (let ticks = 0; ticks < 12; ticks++) {
      const sent: string[] = [];
      const clock = new ManualClock(T0);
      const store = new MemoryStore();
      const service = new WebhookService({
      maxEndpoints: DEFAULT_MAX_ENDPOINTS, maxDeliveries: DEFAULT_MAX_DELIVERIES,
        store,
        lock: new KeyedLock<string>(),
        idsFor: () => ids,
        clockFor: () => clock,
        send: async (_url, body) => {
          sent.push(JSON.parse(body).data.orderId);
          return { status: 200, error: null };
        },
        timeoutMs: 1_000,
        isValidEvent: isWebhookEvent,
        reportUnexpected: (error) => { throw error; },
      });
      await tenantIn(service, store);
      await service.createEndpoint('tenant', 'http://127.0.0.1:9/hooks');
      service.publish('tenant', ORDER_CREATED('ord_first'), isoTime(T0));
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      service.publish('tenant', ORDER_CREATED('ord_second'), isoTime(T0));
      await flushMicrotasks();
      if (!sent.includes('ord_second')) lost.push(ticks);
    }
    expect(lost).toEqual([]);
  });
});

import { createHash, createHmac } from 'node:crypto';
import type { OrderRecord } from '../../src/domain/records.ts';
import { createSandbox, type SandboxOptions } from '../../src/sandbox.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { TenantSeed } from '../../src/store/store.ts';
import { UndiciSender } from '../../src/webhooks/undici-sender.ts';
import type { WebhookSender } from '../../src/webhooks/webhook-service.ts';
import { componentValidator } from '../../contract-tests/kit/spec.ts';
import type { Target } from '../../contract-tests/kit/target.ts';
import {
  apiKeyOf, bodyOf, errorFrom, intercept, isCreateOrder, isOrderPath, jsonOf, mapAnswers, mapRequests, pathOf, randomId,
  readBack, read, requestWith, toResponse, withHeaders, withJson, type Answer, type AnyJson, type Breakage,
} from './breakage.ts';

/** A server that breaks one rule of the contract, and the check that must notice. */
export interface BrokenServer {
  rule: string;
  caughtBy: string;
  /** Builds the breakage afresh (some keep state) for one run; none breaks only what `webhookSender` does. */
  breakage?: () => Breakage;
  /** Wraps the sandbox's real webhook sender, built afresh for one run, to break outbound deliveries. */
  webhookSender?: (real: WebhookSender) => WebhookSender;
  options?: SandboxOptions;
}

const SHIPPED_AT = '2025-01-16T15:00:00Z';

function seededOrder(id: string, status: 'shipped' | 'delivered'): OrderRecord {
  return {
    order: {
      id, patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status,
      shippingAddress: { street1: '1 Elm St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      trackingNumber: '1Z999AA10123456784', estimatedDeliveryDate: '2025-01-20',
      createdAt: '2025-01-15T15:00:00Z', updatedAt: SHIPPED_AT,
    },
    history: [{ status: 'pending', at: '2025-01-15T15:00:00Z', reason: 'Seeded by the broken-server tests' }, { status, at: SHIPPED_AT, reason: 'Seeded' }],
    version: 1,
    frozen: true,
  };
}

/** Every tenant also starts with a shipped and a delivered order, so the cancellation rules can be checked. */
class StoreWithShippedOrders extends MemoryStore {
  private readonly extra = () => [seededOrder('ord_seededShipped', 'shipped'), seededOrder('ord_seededDelivered', 'delivered')];

  override ensureTenant(tenant: string, seed: () => TenantSeed): Promise<boolean> {
    return super.ensureTenant(tenant, () => {
      const initial = seed();
      return { ...initial, orders: [...initial.orders, ...this.extra()] };
    });
  }

  override resetTenant(tenant: string, seed: OrderRecord[]): Promise<void> {
    return super.resetTenant(tenant, [...seed, ...this.extra()]);
  }
}

/** Deliveries to a loopback receiver take milliseconds; this leaves room for a loaded machine. */
const IN_PROCESS_WEBHOOK_WAIT_MS = 2_000;

export type InProcessTarget = Target & { close(): Promise<void> };

/** The stub, in-process, optionally broken; `close` stops its timers and closes its webhook connections. */
export function inProcessTarget(breakage: Breakage = (inner) => inner, options: SandboxOptions = {}): InProcessTarget {
  const sandbox = createSandbox({ store: new StoreWithShippedOrders(), sweepIntervalMs: 0, ...options });
  // A 429 in a run against a broken server is a finding, not something to wait out; in-process webhooks go out at once.
  return {
    baseUrl: 'http://sandbox.test', fetch: breakage((request) => sandbox.fetch(request)), maxRetryWaitMs: 0, webhookWaitMs: IN_PROCESS_WEBHOOK_WAIT_MS,
    close: () => sandbox.close(),
  };
}

/** The stub broken as `server` says (or working, without one), its webhooks posted by a real sender it may wrap. */
export function brokenTarget(server?: BrokenServer): InProcessTarget {
  if (server?.webhookSender === undefined) return inProcessTarget(server?.breakage?.(), server?.options);
  const real = new UndiciSender();
  const target = inProcessTarget(server.breakage?.(), { ...server.options, webhookSender: server.webhookSender(real.send) });
  return { ...target, close: async () => { await target.close(); await real.close(); } };
}

/**
 * The stub as a target without the helpers that move orders (`/sandbox/clock…`,
 * `/sandbox/orders/{orderId}/advance`): they answer 404 not_found, as on a target that lacks them.
 */
export function withoutLifecycleHelpers(): Breakage {
  return mapRequests((request) => (/^\/sandbox\/(clock(\/advance)?|orders\/[^/]+\/advance)$/.test(pathOf(request))
    ? requestWith(request, { url: new URL('/sandbox/contract-no-such-helper', request.url).toString() }) : request));
}

const isError = (status: number) => status >= 400;
const isValidCreateOrder = componentValidator('CreateOrderRequest');
const FAKE_ID = 'ord_somewhereElse000000000000';
const isAdvanceOrder = (request: Request) => request.method === 'POST' && /^\/sandbox\/orders\/[^/]+\/advance$/.test(pathOf(request));
const isRefillPath = (request: Request) => /^\/refills(\/[^/]+)?$/.test(pathOf(request));
const isCreateRefill = (request: Request) => request.method === 'POST' && pathOf(request) === '/refills';
const isTestWebhook = (request: Request) => request.method === 'POST' && pathOf(request) === '/webhooks/test';

/** The answer with `change` applied to each order in it: the body itself, or each of a list's `data`. */
function withOrders(answer: Answer, change: (order: AnyJson) => void): Answer | undefined {
  const body = jsonOf(answer);
  const orders = Array.isArray(body?.data) ? body.data : typeof body?.id === 'string' && body.id.startsWith('ord_') ? [body] : [];
  if (orders.length === 0) return undefined;
  orders.forEach(change);
  return { ...answer, text: JSON.stringify(body) };
}

/** A GET of `isResource` that would be a 404 is answered from any other API key seen so far. */
function leakAcrossKeys(isResource: (request: Request) => boolean) {
  const keysSeen = new Set<string>();
  return intercept(async (request, inner) => {
    keysSeen.add(apiKeyOf(request));
    if (request.method !== 'GET' || !isResource(request)) return undefined;
    const own = await read(await inner(request));
    if (own.status !== 404) return own;
    for (const key of keysSeen) {
      const answer = await read(await inner(requestWith(request, { headers: { 'X-API-Key': key } })));
      if (answer.status === 200) return answer;
    }
    return own;
  });
}

const typeOfEvent = (body: string): unknown => { try { return JSON.parse(body).type; } catch { return undefined; } };
const ACKNOWLEDGED = { status: 200, error: null };

/** Sends other events as the real sender does, and answers for `type`'s events as `replace` says. */
function senderReplacing(type: string, replace: (send: WebhookSender, ...args: Parameters<WebhookSender>) => ReturnType<WebhookSender>) {
  return (send: WebhookSender): WebhookSender => (url, body, headers, timeoutMs) => (typeOfEvent(body) === type ? replace(send, url, body, headers, timeoutMs) : send(url, body, headers, timeoutMs));
}

/** Creations naming prescription `asked` reach the server naming `instead`. */
function replacingPrescription(isCreate: (request: Request) => boolean, asked: string, instead: string): Breakage {
  return mapRequests(async (request) => {
    const body = isCreate(request) ? await bodyOf(request) : undefined;
    return body?.prescriptionId === asked ? requestWith(request, { json: { ...body, prescriptionId: instead } }) : request;
  });
}

/** Requests reach the server without this query parameter. */
function withoutQueryParameter(name: string): Breakage {
  return mapRequests((request) => {
    const url = new URL(request.url);
    url.searchParams.delete(name);
    return requestWith(request, { url: url.toString() });
  });
}

/** GETs of one order while another GET of it is under way answer as it was before it shipped. */
function staleConcurrentReads(): Breakage {
  const inFlight = new Map<string, number>();
  return (inner) => async (request) => {
    if (request.method !== 'GET' || !isOrderPath(request)) return inner(request);
    const path = pathOf(request);
    const others = inFlight.get(path) ?? 0;
    inFlight.set(path, others + 1);
    try {
      const answer = await read(await inner(request));
      await new Promise((resolve) => setImmediate(resolve));
      if (others === 0 || answer.status !== 200) return toResponse(answer);
      return toResponse(withJson(answer, (body) => {
        body.status = 'processing';
        delete body.trackingNumber;
        delete body.estimatedDeliveryDate;
      }));
    } finally {
      inFlight.set(path, inFlight.get(path)! - 1);
    }
  };
}

export const brokenServers: BrokenServer[] = [
  // Response conformance
  {
    rule: 'POST /orders answers 200 instead of 201',
    caughtBy: 'orders/create-answers-201-with-a-location-that-serves-the-order',
    breakage: () => mapAnswers((answer, request) => (isCreateOrder(request) && answer.status === 201 ? { ...answer, status: 200 } : undefined)),
  },
  {
    rule: 'an error body without requestId',
    caughtBy: 'orders/unknown-order-is-404-not-found',
    breakage: () => mapAnswers((answer) => (isError(answer.status) ? withJson(answer, (body) => { delete body.error.requestId; }) : undefined)),
  },
  {
    rule: 'error.requestId differs from X-Request-Id',
    caughtBy: 'orders/unknown-order-is-404-not-found',
    breakage: () => mapAnswers((answer) => (isError(answer.status) ? withJson(answer, (body) => { body.error.requestId = 'req_somebodyElse'; }) : undefined)),
  },
  {
    rule: 'an error code the spec does not define',
    caughtBy: 'orders/unknown-order-is-404-not-found',
    breakage: () => mapAnswers((answer) => (answer.status === 404 ? withJson(answer, (body) => { body.error.code = 'order_not_found'; }) : undefined)),
  },
  {
    rule: 'an order status outside the enum',
    caughtBy: 'test-data/published-order-is-processing',
    breakage: () => mapAnswers((answer) => (jsonOf(answer)?.status === 'processing' ? withJson(answer, (body) => { body.status = 'in_progress'; }) : undefined)),
  },
  {
    rule: 'the Order echoes notes, a member the published Order lacks',
    caughtBy: 'orders/create-answers-201-with-a-location-that-serves-the-order',
    breakage: () => mapAnswers(async (answer, request) => {
      const notes = isCreateOrder(request) && answer.status === 201 ? (await bodyOf(request))?.notes : undefined;
      return notes === undefined ? undefined : withJson(answer, (body) => { body.notes = notes; });
    }),
  },
  {
    rule: 'no Location header on 201',
    caughtBy: 'orders/create-answers-201-with-a-location-that-serves-the-order',
    breakage: () => mapAnswers((answer) => (answer.status === 201 ? withHeaders(answer, { Location: null }) : undefined)),
  },
  {
    rule: 'Location names another order',
    caughtBy: 'orders/create-answers-201-with-a-location-that-serves-the-order',
    breakage: () => mapAnswers((answer) => (answer.status === 201 ? withHeaders(answer, { Location: `/orders/${FAKE_ID}` }) : undefined)),
  },
  {
    rule: 'no X-RateLimit-* headers on /orders answers',
    caughtBy: 'rate-limits/remaining-counts-down-and-reset-is-ahead',
    breakage: () => mapAnswers((answer) => withHeaders(answer, { 'X-RateLimit-Limit': null, 'X-RateLimit-Remaining': null, 'X-RateLimit-Reset': null })),
  },
  {
    rule: 'every answer reuses one X-Request-Id',
    caughtBy: 'orders/every-answer-has-its-own-request-id',
    breakage: () => mapAnswers((answer) => {
      const fixed = withHeaders(answer, { 'X-Request-Id': 'req_always0same' });
      return isError(answer.status) ? withJson(fixed, (body) => { body.error.requestId = 'req_always0same'; }) : fixed;
    }),
  },
  {
    rule: 'success answers sent as text/plain',
    caughtBy: 'orders/create-answers-201-with-a-location-that-serves-the-order',
    breakage: () => mapAnswers((answer) => (answer.status < 300 ? withHeaders(answer, { 'Content-Type': 'text/plain' }) : undefined)),
  },
  // Orders
  {
    rule: 'a new order starts processing instead of pending',
    caughtBy: 'orders/new-order-is-pending-and-reflects-the-request',
    breakage: () => mapAnswers((answer, request) => (isCreateOrder(request) && answer.status === 201 ? withJson(answer, (body) => { body.status = 'processing'; }) : undefined)),
  },
  {
    rule: 'the created order drops the shipping address\'s second line',
    caughtBy: 'orders/new-order-is-pending-and-reflects-the-request',
    breakage: () => mapAnswers((answer, request) => (isCreateOrder(request) && answer.status === 201 ? withJson(answer, (body) => { delete body.shippingAddress.street2; }) : undefined)),
  },
  // Errors
  {
    rule: 'malformed JSON crashes the server (500)',
    caughtBy: 'errors/malformed-json-is-400-invalid-request',
    breakage: () => mapAnswers((answer) => (jsonOf(answer)?.error?.code === 'invalid_request' && jsonOf(answer).error.details?.field === 'body'
      ? errorFrom(answer, 500, 'internal_error', 'SyntaxError: Unexpected end of JSON input') : undefined)),
  },
  {
    rule: 'a non-JSON body is refused with 400 instead of 415',
    caughtBy: 'errors/non-json-body-is-415-unsupported-media-type',
    breakage: () => mapAnswers((answer) => (answer.status === 415 ? errorFrom(answer, 400, 'invalid_request', 'Bad body') : undefined)),
  },
  {
    rule: 'unknown routes answer an HTML page',
    caughtBy: 'errors/unknown-route-is-404-not-found-in-the-envelope',
    breakage: () => mapAnswers((answer) => (jsonOf(answer)?.error?.details?.field === 'path'
      ? { ...withHeaders(answer, { 'Content-Type': 'text/html' }), text: '<h1>404 Not Found</h1>' } : undefined)),
  },
  {
    rule: '405 without an Allow header',
    caughtBy: 'errors/wrong-method-is-405-with-allow',
    breakage: () => mapAnswers((answer) => (answer.status === 405 ? withHeaders(answer, { Allow: null }) : undefined)),
  },
  // Auth
  {
    rule: 'requests without an API key are served',
    caughtBy: 'auth/requests-without-an-api-key-are-401-unauthorized',
    breakage: () => mapRequests((request) => (apiKeyOf(request) === '' ? requestWith(request, { headers: { 'X-API-Key': 'shared-default-tenant' } }) : request)),
  },
  // Validation
  {
    rule: 'a validation error answered 400 invalid_request instead of 422',
    caughtBy: 'validation/single-field-corruptions-are-422-naming-the-field',
    breakage: () => mapAnswers((answer) => (answer.status === 422 ? errorFrom(answer, 400, 'invalid_request', 'The request body is invalid') : undefined)),
  },
  {
    rule: 'validation errors name the whole body, not the field',
    caughtBy: 'validation/single-field-corruptions-are-422-naming-the-field',
    breakage: () => mapAnswers((answer) => (answer.status === 422 ? withJson(answer, (body) => { body.error.details = { field: 'body', reason: 'Invalid' }; }) : undefined)),
  },
  {
    rule: 'ZIP codes are not validated',
    caughtBy: 'validation/single-field-corruptions-are-422-naming-the-field',
    breakage: () => mapRequests(async (request) => {
      const body = isCreateOrder(request) ? await bodyOf(request) : undefined;
      const zip = body?.shippingAddress?.zip;
      if (zip === undefined || (typeof zip === 'string' && /^\d{5}(-\d{4})?$/.test(zip))) return request;
      return requestWith(request, { json: { ...body, shippingAddress: { ...body.shippingAddress, zip: '78701' } } });
    }),
  },
  {
    rule: 'unknown members are silently dropped instead of refused',
    caughtBy: 'validation/single-field-corruptions-are-422-naming-the-field',
    breakage: () => mapRequests(async (request) => {
      const body = isCreateOrder(request) ? await bodyOf(request) : undefined;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return request;
      const { patientId, prescriptionId, shippingAddress, notes } = body;
      return requestWith(request, { json: { patientId, prescriptionId, shippingAddress, notes } });
    }),
  },
  {
    rule: 'a valid street2 is refused',
    caughtBy: 'validation/generated-valid-bodies-are-accepted',
    breakage: () => mapRequests(async (request) => {
      const body = isCreateOrder(request) ? await bodyOf(request) : undefined;
      if (body?.shippingAddress?.street2 === undefined) return request;
      return requestWith(request, { json: { ...body, shippingAddress: { ...body.shippingAddress, street2: 42 } } });
    }),
  },
  // Idempotency
  {
    rule: 'no idempotency at all',
    caughtBy: 'idempotency/replay-returns-the-first-answer-byte-for-byte',
    breakage: () => mapRequests((request) => requestWith(request, { headers: { 'Idempotency-Key': null } })),
  },
  {
    rule: 'a replay carries a new order id',
    caughtBy: 'idempotency/replay-returns-the-first-answer-byte-for-byte',
    breakage: () => mapAnswers((answer) => (answer.headers.get('idempotent-replayed') === 'true' ? withJson(answer, (body) => { body.id = randomId('ord'); }) : undefined)),
  },
  {
    rule: 'a replay is not marked Idempotent-Replayed',
    caughtBy: 'idempotency/replay-is-marked-with-idempotent-replayed-and-original-request-id',
    breakage: () => mapAnswers((answer) => withHeaders(answer, { 'Idempotent-Replayed': null, 'Original-Request-Id': null })),
  },
  {
    rule: 'member order changes the fingerprint',
    caughtBy: 'idempotency/replay-ignores-the-order-of-body-members',
    breakage: () => mapRequests(async (request) => {
      const key = request.headers.get('idempotency-key');
      if (!isCreateOrder(request) || key === null) return request;
      const text = await request.clone().text();
      const fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 16);
      return requestWith(request, { headers: { 'Idempotency-Key': `${key}.${fingerprint}` } });
    }),
  },
  {
    rule: 'a key reused with another body replays the first answer instead of 409',
    caughtBy: 'idempotency/same-key-with-another-body-is-409-conflict',
    breakage: () => {
      const firstBodies = new Map<string, unknown>();
      return mapRequests(async (request) => {
        const key = request.headers.get('idempotency-key');
        if (!isCreateOrder(request) || key === null) return request;
        const slot = `${apiKeyOf(request)}\n${key}`;
        if (!firstBodies.has(slot)) {
          firstBodies.set(slot, await bodyOf(request));
          return request;
        }
        return requestWith(request, { json: firstBodies.get(slot) });
      });
    },
  },
  {
    rule: 'parallel requests with one key each create an order',
    caughtBy: 'idempotency/parallel-identical-requests-create-one-order',
    breakage: () => {
      const inFlight = new Set<string>();
      return (inner) => async (request) => {
        const key = request.headers.get('idempotency-key');
        if (key === null) return inner(request);
        const slot = `${apiKeyOf(request)}\n${key}`;
        if (inFlight.has(slot)) return inner(requestWith(request, { headers: { 'Idempotency-Key': null } }));
        inFlight.add(slot);
        try {
          // The claim is not atomic: the work starts before the key is recorded.
          await new Promise((resolve) => setImmediate(resolve));
          return await inner(request);
        } finally {
          inFlight.delete(slot);
        }
      };
    },
  },
  {
    rule: 'idempotency keys are shared between API keys',
    caughtBy: 'idempotency/keys-are-scoped-to-the-api-key',
    breakage: () => {
      const owners = new Map<string, string>();
      return mapRequests((request) => {
        const key = request.headers.get('idempotency-key');
        if (key === null) return request;
        const owner = owners.get(key) ?? apiKeyOf(request);
        owners.set(key, owner);
        return requestWith(request, { headers: { 'X-API-Key': owner } });
      });
    },
  },
  {
    rule: 'a refused request consumes its idempotency key',
    caughtBy: 'idempotency/refused-request-does-not-consume-the-key',
    breakage: () => {
      const refusedBodies = new Map<string, unknown>();
      return mapRequests(async (request) => {
        const key = request.headers.get('idempotency-key');
        if (!isCreateOrder(request) || key === null) return request;
        const slot = `${apiKeyOf(request)}\n${key}`;
        const body = await bodyOf(request);
        if (!refusedBodies.has(slot) && !isValidCreateOrder(body)) refusedBodies.set(slot, body);
        return refusedBodies.has(slot) ? requestWith(request, { json: refusedBodies.get(slot) }) : request;
      });
    },
  },
  {
    rule: 'an over-long idempotency key is truncated instead of refused',
    caughtBy: 'idempotency/over-long-key-is-400-naming-the-header',
    breakage: () => mapRequests((request) => {
      const key = request.headers.get('idempotency-key');
      return key !== null && key.length > 255 ? requestWith(request, { headers: { 'Idempotency-Key': key.slice(0, 255) } }) : request;
    }),
  },
  {
    rule: 'idempotency keys expire after an hour instead of 24',
    caughtBy: 'idempotency/a-key-replays-for-24-hours-then-expires',
    breakage: () => {
      const firstUse = new Map<string, number>();
      return (inner) => async (request) => {
        const key = request.headers.get('idempotency-key');
        if (key === null) return inner(request);
        const clock = await readBack(inner, requestWith(request, { url: new URL('/sandbox/clock', request.url).toString() }));
        const now = Date.parse(jsonOf(clock)?.now);
        const slot = `${apiKeyOf(request)}\n${key}`;
        if (!firstUse.has(slot)) firstUse.set(slot, now);
        const expired = now - firstUse.get(slot)! > 3_600_000;
        return inner(expired ? requestWith(request, { headers: { 'Idempotency-Key': `${key}.expired` } }) : request);
      };
    },
  },
  {
    rule: 'requests without a key are deduplicated by body',
    caughtBy: 'idempotency/requests-without-a-key-are-not-deduplicated',
    breakage: () => mapRequests(async (request) => {
      if (!isCreateOrder(request) || request.headers.has('idempotency-key')) return request;
      const digest = createHash('sha256').update(await request.clone().text()).digest('hex').slice(0, 32);
      return requestWith(request, { headers: { 'Idempotency-Key': `auto-${digest}` } });
    }),
  },
  // Published test data
  {
    rule: 'the published order is pending, not processing',
    caughtBy: 'test-data/published-order-is-processing',
    breakage: () => mapAnswers((answer, request) => (pathOf(request) === '/orders/ord_1234567890' && answer.status === 200
      ? withJson(answer, (body) => { body.status = 'pending'; }) : undefined)),
  },
  {
    rule: 'a published test prescription is refused as not found',
    caughtBy: 'test-data/published-patients-and-prescriptions-are-accepted',
    breakage: () => replacingPrescription(isCreateOrder, 'rx_test_002', 'rx_test_not_found'),
  },
  // Tenancy
  {
    rule: 'an order is readable with any API key',
    caughtBy: 'tenancy/orders-are-invisible-to-other-api-keys',
    breakage: () => leakAcrossKeys(isOrderPath),
  },
  // Cancellation
  {
    rule: 'a shipped order can be cancelled',
    caughtBy: 'cancellation/shipped-or-delivered-order-is-409-order-not-cancellable',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'DELETE' || !isOrderPath(request)) return undefined;
      const current = await readBack(inner, request);
      const status = jsonOf(current)?.status;
      return status === 'shipped' || status === 'delivered' ? withJson(current, (body) => { body.status = 'cancelled'; }) : undefined;
    }),
  },
  {
    rule: 'a processing order cannot be cancelled',
    caughtBy: 'cancellation/processing-order-can-be-cancelled',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'DELETE' || !isOrderPath(request)) return undefined;
      const current = await readBack(inner, request);
      return jsonOf(current)?.status === 'processing' ? errorFrom(current, 409, 'order_not_cancellable', 'Already processing') : undefined;
    }),
  },
  {
    rule: 'cancelling a cancelled order is a 409',
    caughtBy: 'cancellation/cancelling-a-cancelled-order-returns-it-unchanged',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'DELETE' || !isOrderPath(request)) return undefined;
      const current = await readBack(inner, request);
      return jsonOf(current)?.status === 'cancelled' ? errorFrom(current, 409, 'order_not_cancellable', 'Already cancelled') : undefined;
    }),
  },
  {
    rule: 'a cancel answers cancelled but is not kept',
    caughtBy: 'cancellation/pending-order-can-be-cancelled',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'DELETE' || !isOrderPath(request)) return undefined;
      const current = await readBack(inner, request);
      return current.status === 200 ? withJson(current, (body) => { body.status = 'cancelled'; }) : undefined;
    }),
  },
  {
    rule: 'a cancelled order ships anyway when its time comes',
    caughtBy: 'cancellation/a-cancelled-order-stays-cancelled-as-time-passes',
    breakage: () => {
      const cancelled = new Set<string>();
      return intercept(async (request, inner) => {
        if (!isOrderPath(request) || (request.method !== 'DELETE' && !(request.method === 'GET' && cancelled.has(pathOf(request))))) return undefined;
        const current = await readBack(inner, request);
        const status = jsonOf(current)?.status;
        if (status !== 'pending' && status !== 'processing') return current;
        if (request.method === 'DELETE') cancelled.add(pathOf(request));
        return withJson(current, (body) => { body.status = 'cancelled'; });
      });
    },
  },
  {
    rule: 'cancelling an unknown order answers 200',
    caughtBy: 'cancellation/cancelling-an-unknown-order-is-404-not-found',
    breakage: () => mapAnswers((answer, request) => (request.method === 'DELETE' && answer.status === 404
      ? { ...answer, status: 200, text: JSON.stringify({ ...jsonOf(answer), deleted: true }) } : undefined)),
  },
  // Rate limits
  {
    rule: 'a 429 without Retry-After',
    caughtBy: 'rate-limits/exceeding-the-limit-is-429-with-retry-after',
    breakage: () => mapAnswers((answer) => (answer.status === 429 ? withHeaders(answer, { 'Retry-After': null }) : undefined)),
  },
  {
    rule: 'a 429 as plain text, outside the envelope',
    caughtBy: 'rate-limits/exceeding-the-limit-is-429-with-retry-after',
    breakage: () => mapAnswers((answer) => (answer.status === 429 ? { ...withHeaders(answer, { 'Content-Type': 'text/plain' }), text: 'Too Many Requests' } : undefined)),
  },
  {
    rule: 'the published limit is announced but never enforced',
    caughtBy: 'rate-limits/exceeding-the-limit-is-429-with-retry-after',
    options: { rateLimit: { orders: 1_000_000 } },
    breakage: () => mapAnswers((answer) => {
      const remaining = answer.headers.get('x-ratelimit-remaining');
      return remaining === null ? undefined : withHeaders(answer, { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': String(Math.max(0, Number(remaining) - 999_900)) });
    }),
  },
  {
    rule: 'X-RateLimit-Remaining never drops',
    caughtBy: 'rate-limits/remaining-counts-down-and-reset-is-ahead',
    breakage: () => mapAnswers((answer) => (answer.headers.has('x-ratelimit-limit') ? withHeaders(answer, { 'X-RateLimit-Remaining': answer.headers.get('x-ratelimit-limit') }) : undefined)),
  },
  {
    rule: 'one rate limit shared by all API keys',
    caughtBy: 'rate-limits/limits-are-counted-per-api-key',
    breakage: () => {
      let limitedUntil = 0;
      return mapAnswers((answer, request) => {
        if (answer.status === 429) limitedUntil = Date.now() + 60_000;
        if (answer.status === 429 || Date.now() >= limitedUntil || !pathOf(request).startsWith('/orders')) return undefined;
        const refused = withHeaders(errorFrom(answer, 429, 'rate_limit_exceeded', 'Too many requests'), { 'Retry-After': '60', 'X-RateLimit-Remaining': '0' });
        return withJson(refused, (body) => { body.error.details = { retryAfter: 60 }; });
      });
    },
  },
  // Sandbox helpers
  {
    rule: 'the list is oldest first',
    caughtBy: 'sandbox/list-is-newest-first',
    breakage: () => mapAnswers((answer, request) => (pathOf(request) === '/sandbox/orders' && answer.status === 200
      ? withJson(answer, (body) => { body.data.reverse(); }) : undefined)),
  },
  {
    rule: 'the list ignores its cursor',
    caughtBy: 'sandbox/list-pages-with-the-next-cursor',
    breakage: () => withoutQueryParameter('cursor'),
  },
  {
    rule: 'the list\'s last page says hasMore, with a cursor that serves it again',
    caughtBy: 'sandbox/list-walked-to-its-last-page-lists-every-order-once',
    breakage: () => mapAnswers((answer, request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      return pathOf(request) === '/sandbox/orders' && cursor !== null && jsonOf(answer)?.hasMore === false
        ? withJson(answer, (body) => { Object.assign(body, { hasMore: true, nextCursor: cursor }); }) : undefined;
    }),
  },
  {
    rule: 'each page after the first skips one order',
    caughtBy: 'sandbox/list-walked-to-its-last-page-lists-every-order-once',
    breakage: () => mapAnswers((answer, request) => (pathOf(request) === '/sandbox/orders' && new URL(request.url).searchParams.has('cursor') && answer.status === 200
      ? withJson(answer, (body) => { body.data.shift(); }) : undefined)),
  },
  {
    rule: 'the list ignores its status filter',
    caughtBy: 'sandbox/list-filters-by-status',
    breakage: () => withoutQueryParameter('status'),
  },
  {
    rule: 'the list ignores its patientId filter',
    caughtBy: 'sandbox/list-filters-by-patient-id',
    breakage: () => withoutQueryParameter('patientId'),
  },
  {
    rule: 'an order\'s history leaves out its processing step',
    caughtBy: 'sandbox/order-history-records-each-status-change-with-its-time',
    breakage: () => mapAnswers((answer, request) => (/\/history$/.test(pathOf(request)) && answer.status === 200
      ? withJson(answer, (body) => { body.history = body.history.filter((entry: AnyJson) => entry.status !== 'processing'); }) : undefined)),
  },
  {
    rule: 'reset answers {"reset":true} but resets nothing',
    caughtBy: 'sandbox/reset-restores-the-published-test-data',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'POST' || pathOf(request) !== '/sandbox/reset') return undefined;
      const listed = await inner(requestWith(request, { method: 'GET', url: new URL('/sandbox/orders?limit=1', request.url).toString() })).then(read);
      return { ...listed, text: JSON.stringify({ reset: true }) };
    }),
  },
  // Lifecycle
  {
    rule: 'a shipped order without a tracking number',
    caughtBy: 'lifecycle/shipped-order-has-a-valid-tracking-number-and-delivery-date',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => { if (order.status === 'shipped') delete order.trackingNumber; })),
  },
  {
    rule: 'a tracking number with a bad check digit',
    caughtBy: 'lifecycle/shipped-order-has-a-valid-tracking-number-and-delivery-date',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => {
      if (typeof order.trackingNumber === 'string') order.trackingNumber = order.trackingNumber.replace(/\d$/, (digit: string) => String((Number(digit) + 1) % 10));
    })),
  },
  {
    rule: 'a processing order already has a tracking number and delivery date',
    caughtBy: 'lifecycle/orders-before-shipping-have-no-tracking-number-or-delivery-date',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => {
      if (order.status === 'processing') Object.assign(order, { trackingNumber: '1Z999AA10123456784', estimatedDeliveryDate: '2030-01-01' });
    })),
  },
  {
    rule: 'a clock advance that moves the clock but not the orders',
    caughtBy: 'lifecycle/advancing-the-clock-five-days-delivers-a-new-order',
    breakage: () => intercept(async (request, inner) => {
      if (request.method !== 'POST' || pathOf(request) !== '/sandbox/clock/advance') return undefined;
      const seconds = Number((await bodyOf(request))?.seconds);
      const clock = await readBack(inner, requestWith(request, { url: new URL('/sandbox/clock', request.url).toString() }));
      return withJson(clock, (body) => { body.now = new Date(Date.parse(body.now) + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z'); });
    }),
  },
  {
    rule: 'updatedAt goes back when an order is advanced',
    caughtBy: 'lifecycle/updated-at-never-goes-back',
    breakage: () => mapAnswers((answer, request) => (isAdvanceOrder(request) && answer.status === 200
      ? withJson(answer, (body) => { body.updatedAt = '2000-01-01T00:00:00Z'; }) : undefined)),
  },
  {
    rule: 'updatedAt stays at createdAt as the order moves on',
    caughtBy: 'lifecycle/an-orders-dates-and-tracking-make-sense-from-creation-to-delivery',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => { order.updatedAt = order.createdAt; })),
  },
  {
    rule: 'estimatedDeliveryDate is the day the order was created, before it shipped',
    caughtBy: 'lifecycle/an-orders-dates-and-tracking-make-sense-from-creation-to-delivery',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => {
      if (typeof order.estimatedDeliveryDate === 'string') order.estimatedDeliveryDate = order.createdAt.slice(0, 10);
    })),
  },
  {
    rule: 'a delivered order loses its tracking number and delivery date',
    caughtBy: 'lifecycle/an-orders-dates-and-tracking-make-sense-from-creation-to-delivery',
    breakage: () => mapAnswers((answer) => withOrders(answer, (order) => {
      if (order.status === 'delivered') {
        delete order.trackingNumber;
        delete order.estimatedDeliveryDate;
      }
    })),
  },
  {
    rule: 'the documented held prescription ships like any other',
    caughtBy: 'lifecycle/held-and-unfillable-orders-end-as-documented',
    breakage: () => replacingPrescription(isCreateOrder, 'rx_test_hold', 'rx_test_001'),
  },
  {
    rule: 'the documented unfillable prescription is delivered like any other',
    caughtBy: 'lifecycle/held-and-unfillable-orders-end-as-documented',
    breakage: () => replacingPrescription(isCreateOrder, 'rx_test_unfillable', 'rx_test_001'),
  },
  {
    rule: 'advancing an order backwards answers 200 with the order',
    caughtBy: 'lifecycle/advancing-to-a-status-not-ahead-is-409-invalid-state-transition',
    breakage: () => intercept(async (request, inner) => {
      if (!isAdvanceOrder(request)) return undefined;
      const answer = await read(await inner(request.clone()));
      if (answer.status !== 409) return answer;
      const orderId = pathOf(request).split('/')[3]!;
      return readBack(inner, requestWith(request, { url: new URL(`/orders/${orderId}`, request.url).toString() }));
    }),
  },
  // Refills
  {
    rule: 'a refill status outside the enum',
    caughtBy: 'refills/create-answers-201-with-a-pending-refill-for-the-request',
    breakage: () => mapAnswers((answer, request) => (isRefillPath(request) && jsonOf(answer)?.status === 'pending'
      ? withJson(answer, (body) => { body.status = 'requested'; }) : undefined)),
  },
  {
    rule: 'an approved refill has no approvedQuantity',
    caughtBy: 'refills/a-refill-is-approved-within-a-day-with-its-quantity-and-ship-date',
    breakage: () => mapAnswers((answer, request) => (isRefillPath(request) && typeof jsonOf(answer)?.approvedQuantity === 'number'
      ? withJson(answer, (body) => { body.approvedQuantity = null; }) : undefined)),
  },
  {
    rule: 'an approved refill is estimated to ship the day before it was requested',
    caughtBy: 'refills/a-refill-is-approved-within-a-day-with-its-quantity-and-ship-date',
    breakage: () => mapAnswers((answer, request) => (isRefillPath(request) && typeof jsonOf(answer)?.estimatedShipDate === 'string'
      ? withJson(answer, (body) => { body.estimatedShipDate = new Date(Date.parse(body.createdAt) - 86_400_000).toISOString().slice(0, 10); }) : undefined)),
  },
  {
    rule: 'a refill of the documented denied prescription is approved like any other',
    caughtBy: 'refills/refills-under-review-or-denied-end-as-documented',
    breakage: () => replacingPrescription(isCreateRefill, 'rx_test_denied', 'rx_9876543210'),
  },
  {
    rule: 'a refill of the documented review prescription is approved within a day like any other',
    caughtBy: 'refills/refills-under-review-or-denied-end-as-documented',
    breakage: () => replacingPrescription(isCreateRefill, 'rx_test_review', 'rx_9876543210'),
  },
  {
    rule: 'a refill without requestedQuantity asks for 1',
    caughtBy: 'refills/requested-quantity-defaults-to-the-prescriptions-quantity',
    breakage: () => mapRequests(async (request) => {
      const body = isCreateRefill(request) ? await bodyOf(request) : undefined;
      return body !== undefined && body !== null && typeof body === 'object' && !('requestedQuantity' in body)
        ? requestWith(request, { json: { ...body, requestedQuantity: 1 } }) : request;
    }),
  },
  {
    rule: 'a refill replay carries a new refill id',
    caughtBy: 'refills/replay-returns-the-first-answer-byte-for-byte',
    breakage: () => mapAnswers((answer, request) => (isCreateRefill(request) && answer.headers.get('idempotent-replayed') === 'true'
      ? withJson(answer, (body) => { body.id = randomId('ref'); }) : undefined)),
  },
  {
    rule: 'refill_not_eligible without nextEligibleDate',
    caughtBy: 'refills/ineligible-refill-is-422-refill-not-eligible-with-reason-and-next-date',
    breakage: () => mapAnswers((answer) => (jsonOf(answer)?.error?.code === 'refill_not_eligible'
      ? withJson(answer, (body) => { delete body.error.details.nextEligibleDate; }) : undefined)),
  },
  {
    rule: 'a zero requestedQuantity is refused naming another field',
    caughtBy: 'refills/zero-quantity-is-422-naming-requested-quantity',
    breakage: () => mapAnswers((answer, request) => (isCreateRefill(request) && jsonOf(answer)?.error?.details?.field === 'requestedQuantity'
      ? withJson(answer, (body) => { body.error.details.field = 'quantity'; }) : undefined)),
  },
  {
    rule: 'a refill is readable with any API key',
    caughtBy: 'refills/refills-are-invisible-to-other-api-keys',
    breakage: () => leakAcrossKeys((request) => /^\/refills\/[^/]+$/.test(pathOf(request))),
  },
  // Webhooks
  {
    rule: 'POST /webhooks/test answers 201 instead of 200',
    caughtBy: 'webhooks/test-webhook-answers-200-with-a-wh-test-id',
    breakage: () => mapAnswers((answer, request) => (isTestWebhook(request) && answer.status === 200 ? { ...answer, status: 201 } : undefined)),
  },
  {
    rule: 'POST /webhooks/test answers without webhookId',
    caughtBy: 'webhooks/test-webhook-answers-200-with-a-wh-test-id',
    breakage: () => mapAnswers((answer, request) => (isTestWebhook(request) && answer.status === 200 ? withJson(answer, (body) => { delete body.webhookId; }) : undefined)),
  },
  {
    rule: 'POST /webhooks/test answers success but sends nothing',
    caughtBy: 'webhooks/test-webhook-arrives-signed-with-the-endpoint-secret',
    breakage: () => intercept(async (request, inner) => {
      if (!isTestWebhook(request)) return undefined;
      // A refused request gets genuine headers (request id, rate limits) and sends nothing.
      const refused = await read(await inner(requestWith(request, { json: { eventType: 'order.teleported' } })));
      if (refused.status !== 422) return refused;
      return { status: 200, headers: refused.headers, text: JSON.stringify({ success: true, message: 'Test webhook sent', webhookId: randomId('wh_test') }) };
    }),
  },
  {
    rule: 'an unknown eventType is ignored',
    caughtBy: 'webhooks/unknown-event-type-is-422-naming-event-type',
    breakage: () => mapRequests(async (request) => {
      const body = isTestWebhook(request) ? await bodyOf(request) : undefined;
      if (body?.eventType === undefined) return request;
      const { eventType: _ignored, ...rest } = body;
      return requestWith(request, { json: rest });
    }),
  },
  {
    rule: 'test webhooks are not counted toward the rate limit',
    caughtBy: 'webhooks/test-webhooks-count-toward-the-rate-limit',
    breakage: () => mapAnswers((answer, request) => (isTestWebhook(request) && answer.headers.has('x-ratelimit-limit')
      ? withHeaders(answer, { 'X-RateLimit-Remaining': answer.headers.get('x-ratelimit-limit') }) : undefined)),
  },
  {
    rule: 'order.fulfilled is never posted (the sender reports it delivered)',
    caughtBy: 'webhooks/order-created-and-order-fulfilled-arrive-for-an-order',
    webhookSender: senderReplacing('order.fulfilled', async () => ACKNOWLEDGED),
  },
  {
    rule: 'order.created bodies lack data.prescriptionId',
    caughtBy: 'webhooks/event-bodies-match-the-spec-schemas',
    webhookSender: senderReplacing('order.created', (send, url, body, headers, timeoutMs) => {
      const event = JSON.parse(body);
      delete event.data.prescriptionId;
      return send(url, JSON.stringify(event), headers, timeoutMs);
    }),
  },
  {
    rule: 'webhook signatures do not verify: signed with another secret',
    caughtBy: 'webhooks/signatures-verify-with-the-endpoint-secret',
    webhookSender: (send) => (url, body, headers, timeoutMs) => send(url, body, {
      ...headers, 'X-Webhook-Signature': createHmac('sha256', 'whsec_someoneElsesSecret').update(body).digest('hex'),
    }, timeoutMs),
  },
  {
    rule: 'order.created is posted late, after the order\'s next event (the sender reports it delivered at once)',
    caughtBy: 'webhooks/one-orders-events-arrive-in-the-order-they-happened',
    webhookSender: senderReplacing('order.created', async (send, url, body, headers, timeoutMs) => {
      setTimeout(() => void send(url, body, headers, timeoutMs), 100);
      return ACKNOWLEDGED;
    }),
  },
  {
    rule: 'a failed webhook delivery is never retried (the sender reports it delivered)',
    caughtBy: 'webhooks/a-failed-delivery-is-retried',
    webhookSender: (send) => async (url, body, headers, timeoutMs) => {
      await send(url, body, headers, timeoutMs);
      return ACKNOWLEDGED;
    },
  },
  {
    rule: 'refill.ready is never posted (the sender reports it delivered)',
    caughtBy: 'webhooks/refill-ready-arrives-when-a-refill-is-approved',
    webhookSender: senderReplacing('refill.ready', async () => ACKNOWLEDGED),
  },
  {
    rule: 'an endpoint gets every published event, whatever events it lists',
    caughtBy: 'webhooks/an-endpoint-receives-only-the-events-it-lists',
    breakage: () => mapRequests(async (request) => {
      const body = request.method === 'POST' && pathOf(request) === '/sandbox/webhook-endpoints' ? await bodyOf(request) : undefined;
      if (body?.events === undefined) return request;
      const { events: _ignored, ...rest } = body;
      return requestWith(request, { json: rest });
    }),
  },
  {
    rule: 'the delivery log lists each body re-serialised (indented), not as posted, so its signature no longer verifies over it',
    caughtBy: 'webhooks/the-delivery-log-lists-the-body-and-signature-sent',
    breakage: () => mapAnswers((answer, request) => (request.method === 'GET' && /^\/sandbox\/webhook-endpoints\/[^/]+\/deliveries$/.test(pathOf(request)) && answer.status === 200
      ? withJson(answer, (body) => {
        for (const attempt of body.data) attempt.body = JSON.stringify(JSON.parse(attempt.body), null, 2);
      }) : undefined)),
  },
  {
    rule: 'the listed defaultSecret is not the one test webhooks are signed with',
    caughtBy: 'webhooks/test-webhook-to-an-unregistered-url-is-signed-with-the-default-secret',
    breakage: () => mapAnswers((answer, request) => (request.method === 'GET' && pathOf(request) === '/sandbox/webhook-endpoints' && answer.status === 200
      ? withJson(answer, (body) => { body.defaultSecret = 'whsec_listedButUnused'; }) : undefined)),
  },
  {
    rule: 'reads of one order at the same time see it before it shipped',
    caughtBy: 'orders/concurrent-reads-of-an-order-agree-on-status-and-tracking-number',
    breakage: staleConcurrentReads,
  },
];

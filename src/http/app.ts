import { Hono, type Context } from 'hono';
import { every, realDelay, systemClock, TenantClocks, type Clock, type ClockMode } from '../clock.ts';
import { Catalog } from '../domain/catalog.ts';
import { parseIdempotencyKey, requestFingerprint, runIdempotent } from '../domain/idempotency.ts';
import { OrderService } from '../domain/orders.ts';
import { DEFAULT_REFILL_TIMELINE, RefillService, type RefillTimeline } from '../domain/refills.ts';
import { TEST_DATA_TIME } from '../domain/test-data.ts';
import { DEFAULT_TIMELINE, type Timeline } from '../domain/timeline.ts';
import { ApiError, errorBody } from '../errors.ts';
import type { Fixtures } from '../fixtures/fixtures.ts';
import { randomIds, SeededStreams, seededIds, type IdGenerator } from '../ids.ts';
import { OneAtATime } from '../one-at-a-time.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { Store } from '../store/store.ts';
import { discriminatedTest } from '../validation.ts';
import { orderEvent, refillEvent } from '../webhooks/events.ts';
import { UndiciSender } from '../webhooks/undici-sender.ts';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, WebhookService, type WebhookSender } from '../webhooks/webhook-service.ts';
import { DEFAULT_MAX_BODY_BYTES } from './body.ts';
import { requestHeader, type SandboxEnv } from './env.ts';
import { ConnectionDropped, DEFAULT_LATENCY_MS, faultInjection, type FaultKind } from './faults.ts';
import { RateLimiter, SANDBOX_RATE_LIMITS, type RateLimitGroup } from './rate-limit.ts';
import { orderRoutes } from './routes/orders.ts';
import { refillRoutes } from './routes/refills.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Route, RouteHandler, RouteServices } from './routing.ts';
import { DEFAULT_MAX_TENANTS, DEFAULT_TENANT_IDLE_MS, TenantRegistry } from './tenants.ts';

export interface SandboxOptions {
  /** Accept only these API keys (each still its own tenant). Default: any non-empty key. */
  apiKeys?: readonly string[];
  /** Requests per minute per tenant, or false to switch limits off. Default: the published sandbox limits. */
  rateLimit?: false | Partial<Record<RateLimitGroup, number>>;
  /** Refuse POSTs without an Idempotency-Key (400). Default false, as published. */
  requireIdempotencyKey?: boolean;
  /** Refuse unknown patient and prescription ids with 422, as production's strict validation does. */
  strictReferences?: boolean;
  /** Where tenants' data lives. Default: a new in-memory store. */
  store?: Store;
  /** What tenants' clocks run from. Default: the system clock. */
  clock?: Clock;
  /** `real` (default) runs every tenant's clock with real time; `virtual` holds it still until advanced. */
  clockMode?: ClockMode;
  /** How much faster than real time a real-mode clock runs. Default 1. */
  timeScale?: number;
  /** Where every tenant's clock starts (ms since the epoch). Default: now. */
  startTime?: number;
  /** How long an order waits in each status (ms). Default: processing 1 h, shipped 24 h, delivered 72 h. */
  timeline?: Partial<Timeline>;
  /** How long a refill waits in each status (ms). Default: approved 4 h, processing 4 h, shipped 24 h; review 48 h. */
  refillTimeline?: Partial<RefillTimeline>;
  /** How often (real ms) the background sweep applies due changes; 0 turns it off. Default 1000. */
  sweepIntervalMs?: number;
  /** Share (0 to 1) of published-API requests that get an injected fault. Default 0. */
  faultRate?: number;
  /** Which faults `faultRate` draws from. Default: all but latency. */
  faultKinds?: readonly FaultKind[];
  /** Latency of the `latency` fault when no value is given (ms). Default 2000. */
  faultLatencyMs?: number;
  /** How injected latency waits. Default: real time. */
  delay?: (ms: number) => Promise<void>;
  /** Subscribe every tenant to this webhook endpoint from the start (published events). */
  webhookUrl?: string;
  /** The secret for `webhookUrl`'s signatures. Default: a random one, shown by GET /sandbox/webhook-endpoints. */
  webhookSecret?: string;
  /** Real time a receiver has to answer. Default 10 000 ms, as published. */
  webhookTimeoutMs?: number;
  /** How webhooks are posted (see WebhookSender). Default: an UndiciSender of the sandbox's own, closed by close(). */
  webhookSender?: WebhookSender;
  /** Real time, which rate-limit windows count. Default: the system clock. */
  realClock?: Clock;
  /** Makes ids, tracking numbers, secrets and fault draws reproducible, each API key from its own stream; with a virtual clock, time starts at a fixed instant too. */
  seed?: number;
  /** Source of ids, tracking numbers and secrets. Default: random, or seeded by `seed`. */
  ids?: IdGenerator;
  /** Demo data placed under `fixtures.apiKey` (checked with `parseFixtures` or `loadFixtures`). */
  fixtures?: Fixtures;
  /** Most API keys held at once; a new key beyond it takes the place of the one unused for longest. Default 10 000. */
  maxTenants?: number;
  /** How long (real ms) a key must go unused before it may give its place to a new one. Default 10 minutes. */
  tenantIdleMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Told of every failure that became a 500. Default: one line on stderr. */
  onUnexpectedError?: (error: unknown) => void;
}

export interface Sandbox {
  app: Hono<SandboxEnv>;
  /** Serves one request in-process, with no port; `env` is the server's (as @hono/node-server passes it). */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** Like Hono's `app.request`: a path or URL with optional RequestInit. */
  request(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Applies every change due on every tenant's clock now. */
  sweep(): Promise<void>;
  /** Stops the background sweep and closes the default webhook sender's connections. */
  close(): Promise<void>;
}

const isWebhookEvent = discriminatedTest('WebhookEvent', 'type');
/** The published API's path prefixes, each its own rate-limit group; fault injection applies to them alone. */
const PUBLISHED_GROUPS: readonly RateLimitGroup[] = ['orders', 'refills', 'webhooks'];
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Where a seeded virtual clock starts unless told otherwise: a Monday after the published test order. */
export const SEEDED_START_TIME = Date.parse('2025-02-03T15:00:00Z');

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const store = options.store ?? new MemoryStore();
  const clockMode = options.clockMode ?? 'real';
  const startTime = options.startTime ?? (options.seed !== undefined && clockMode === 'virtual' ? SEEDED_START_TIME : undefined);
  if (startTime !== undefined && !(startTime >= Date.parse(TEST_DATA_TIME))) {
    throw new RangeError(`startTime must be ${TEST_DATA_TIME} or later: the published test order ord_1234567890 was created before anything a tenant makes`);
  }
  const clocks = new TenantClocks(options.clock ?? systemClock, {
    mode: clockMode,
    timeScale: options.timeScale ?? 1,
    ...(startTime === undefined ? {} : { startAt: startTime }),
  });
  const clockFor = (tenant: string) => clocks.for(tenant);
  // Under a seed, each key draws from streams of its own, so parallel runs stay reproducible.
  const random = randomIds();
  const idStreams = options.seed === undefined ? undefined : new SeededStreams(options.seed, 'ids');
  const faultStreams = options.seed === undefined ? undefined : new SeededStreams(options.seed, 'faults');
  const idsFor = (tenant: string): IdGenerator => options.ids ?? idStreams?.for(tenant) ?? random;
  const faultDrawsFor = (tenant: string): IdGenerator => faultStreams?.for(tenant) ?? random;
  const requestIds = options.seed === undefined ? random : seededIds(options.seed ^ 0x5eed);
  const catalog = new Catalog();
  const fixtures = options.fixtures;
  for (const patient of fixtures?.patients ?? []) catalog.addPatient(patient.id);
  for (const { id, quantity, refills, daysSupply } of fixtures?.prescriptions ?? []) catalog.addPrescription(id, { quantity, refills, daysSupply });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedKeys = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const requireKey = options.requireIdempotencyKey ?? false;
  const reportUnexpected = options.onUnexpectedError
    ?? ((error: unknown) => console.error(`nimbus-sandbox: unexpected error: ${(error as Error)?.stack ?? String(error)}`));
  const rateLimiter = options.rateLimit === false
    ? undefined
    : new RateLimiter({ ...SANDBOX_RATE_LIMITS, ...options.rateLimit }, options.realClock ?? systemClock);
  let sender: UndiciSender | undefined;
  const webhooks = new WebhookService({
    idsFor,
    clockFor,
    send: options.webhookSender ?? (sender = new UndiciSender()).send,
    timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    isValidEvent: isWebhookEvent,
    ...(options.webhookUrl === undefined ? {} : { subscribeAll: { url: options.webhookUrl, ...(options.webhookSecret === undefined ? {} : { secret: options.webhookSecret }) } }),
    reportUnexpected,
  });
  const orders = new OrderService({
    store, idsFor,
    clockFor,
    onStatusChange: (tenant, record, change) => webhooks.publish(tenant, orderEvent(record, change), change.at),
    timeline: { ...DEFAULT_TIMELINE, ...options.timeline },
    strictReferences: options.strictReferences ?? false,
    catalog,
  });
  const refills = new RefillService({
    store, idsFor,
    clockFor,
    timeline: { ...DEFAULT_REFILL_TIMELINE, ...options.refillTimeline },
    strictReferences: options.strictReferences ?? false,
    catalog,
    onStatusChange: (tenant, record, change) => webhooks.publish(tenant, refillEvent(record, change), change.at),
  });
  const faults = faultInjection({
    rate: options.faultRate ?? 0,
    kinds: options.faultKinds ?? ['429', '500', '503', 'drop', 'lost-response'],
    latencyMs: options.faultLatencyMs ?? DEFAULT_LATENCY_MS,
    delay: options.delay ?? realDelay,
    randomFor: faultDrawsFor,
  });

  const HOUR = 3_600_000;
  const importFixtures = async (tenant: string) => {
    if (fixtures === undefined || tenant !== fixtures.apiKey) return;
    for (const { placedHoursAgo, cancelledAfterHours, ...order } of fixtures.orders) {
      await orders.importOrder(tenant, order, placedHoursAgo * HOUR, cancelledAfterHours === undefined ? undefined : cancelledAfterHours * HOUR);
    }
    for (const { placedHoursAgo, ...refill } of fixtures.refills) await refills.importRefill(tenant, refill, placedHoursAgo * HOUR);
  };

  const app = new Hono<SandboxEnv>();
  /** Sweeps never overlap: a sweep and a forget must not both hold a tenant's records. */
  const sweeps = new OneAtATime<'sweep'>();
  /** One reset of a key at a time: a second must not swap the data under the first's import. */
  const resets = new OneAtATime<string>();
  const tenants = new TenantRegistry({
    maxTenants: options.maxTenants ?? DEFAULT_MAX_TENANTS,
    idleMs: options.tenantIdleMs ?? DEFAULT_TENANT_IDLE_MS,
    realClock: options.realClock ?? systemClock,
    setUp: async (tenant) => {
      if (await orders.ensureTenant(tenant)) await importFixtures(tenant);
    },
    forget: async (tenant) => {
      try {
        // A sweep under way may be holding the tenant's records; let it finish first.
        await sweeps.current('sweep');
        webhooks.forget(tenant);
        refills.reset(tenant);
        rateLimiter?.forget(tenant);
        clocks.forget(tenant);
        idStreams?.forget(tenant);
        faultStreams?.forget(tenant);
        await orders.forget(tenant);
      } catch (error) {
        reportUnexpected(error);
      }
    },
  });

  /** The one renderer of the error envelope. */
  const renderError = (error: unknown, c: Context<SandboxEnv>): Response => {
    let apiError: ApiError;
    if (error instanceof ApiError) {
      apiError = error;
    } else {
      reportUnexpected(error);
      apiError = new ApiError('internal_error', 'An unexpected error occurred; retrying with the same Idempotency-Key is safe');
    }
    const requestId = c.get('requestId') ?? requestIds.next('req');
    return c.body(errorBody(apiError, requestId), apiError.status, {
      ...JSON_TYPE, ...c.get('responseHeaders'), ...apiError.headers, 'X-Request-Id': requestId,
    });
  };
  app.onError(renderError);

  /** The caller's tenant, from X-API-Key; throws the 401. */
  const authenticate = (c: Context<SandboxEnv>): string => {
    const key = requestHeader(c, 'x-api-key');
    if (key === undefined || key === '' || key.length > 256 || (allowedKeys !== undefined && !allowedKeys.has(key))) {
      throw new ApiError('unauthorized', 'Invalid or missing API key', { field: 'X-API-Key', reason: key ? 'Not accepted' : 'Missing' });
    }
    return key;
  };

  app.notFound((c) => {
    c.set('requestId', requestIds.next('req'));
    authenticate(c);
    throw new ApiError('not_found', `No route ${c.req.method} ${c.req.path.slice(0, 200)}`, {
      field: 'path', reason: 'Not a Nimbus OS API or sandbox route',
    });
  });

  const handlersByPath = new Map<string, Map<string, RouteHandler>>();
  const route: Route = (method, path, handler) => {
    const handlers = handlersByPath.get(path) ?? new Map<string, RouteHandler>();
    handlers.set(method, handler);
    handlersByPath.set(path, handlers);
  };

  const services: RouteServices = {
    orders, refills, webhooks, clocks, maxBodyBytes,
    idempotencyKey: (c) => parseIdempotencyKey(requestHeader(c, 'idempotency-key'), requireKey),
    idempotent: (c, key, body, work) => {
      const tenant = c.get('tenant');
      const requestId = c.get('requestId');
      return runIdempotent({
        store, tenant, requestId, key,
        fingerprint: key === undefined ? '' : requestFingerprint(c.req.method, c.req.path, body),
        now: clocks.for(tenant).now(),
      }, () => work(requestId));
    },
    resetTenant: (tenant) => resets.run(tenant, async () => {
      webhooks.reset(tenant);
      refills.reset(tenant);
      await orders.reset(tenant);
      await importFixtures(tenant);
    }),
  };
  orderRoutes(route, services);
  refillRoutes(route, services);
  webhookRoutes(route, services);
  sandboxRoutes(route, services);

  /**
   * Each path is one Hono handler running the whole pipeline (request id, API key, tenant set-up,
   * rate limit and faults for the published API, then the method's handler or a 405), so Hono
   * takes its single-handler fast path and a request with nothing to wait for stays synchronous.
   */
  for (const [path, handlers] of handlersByPath) {
    const methods = [...handlers.keys()];
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    const specPath = path.replace(/:(\w+)/g, '{$1}');
    const group = PUBLISHED_GROUPS.find((candidate) => path === `/${candidate}` || path.startsWith(`/${candidate}/`));
    const answer = (c: Context<SandboxEnv>): Response | Promise<Response> => {
      // Hono answers HEAD by dispatching it as GET; the request still says HEAD.
      const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
      const handler = handlers.get(method);
      if (handler === undefined) {
        throw new ApiError('method_not_allowed', `${c.req.method} is not allowed on ${specPath}; use ${allow}`, {
          field: 'method', reason: `Allowed: ${allow}`,
        }, { Allow: allow });
      }
      return handler(c);
    };
    const serve = (c: Context<SandboxEnv>, tenant: string): Response | Promise<Response> => {
      c.set('tenant', tenant);
      if (group === undefined) return answer(c);
      if (rateLimiter !== undefined) c.set('responseHeaders', rateLimiter.take(tenant, group));
      return faults(c, () => answer(c));
    };
    app.all(path, (c): Response | Promise<Response> => {
      c.set('requestId', requestIds.next('req'));
      const tenant = authenticate(c);
      const entering = tenants.enter(tenant);
      const answer = entering === undefined ? serve(c, tenant) : entering.then(() => serve(c, tenant));
      // A synchronous answer is over before any other request can evict its key.
      return answer instanceof Promise ? tenants.track(tenant, answer) : answer;
    });
  }

  /** Applies every due change, after any sweep under way; `drain` also waits for the webhooks they send. */
  const sweepOnce = (drain: boolean): Promise<void> => sweeps.run('sweep', async () => {
    await Promise.all([orders.sweepAll(), refills.sweepAll()]);
    if (drain) await webhooks.drainAll();
    else webhooks.kickAll();
  });

  const stopSweep = (options.sweepIntervalMs ?? 1000) > 0
    ? every(options.sweepIntervalMs ?? 1000, () => {
      if (sweeps.current('sweep') === undefined) sweepOnce(false).catch(reportUnexpected);
    })
    : () => undefined;

  const fetch = async (request: Request, env?: unknown): Promise<Response> => {
    try {
      return await app.fetch(request, env);
    } catch (error) {
      if (error instanceof ConnectionDropped) {
        throw new TypeError(`fetch failed: the sandbox dropped the connection ${error.afterWork ? 'after doing the work (injected lost-response fault)' : '(injected fault)'}`);
      }
      throw error;
    }
  };

  return {
    app,
    fetch,
    request: (input, init) => fetch(input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)),
    sweep: () => sweepOnce(true),
    close: async () => {
      stopSweep();
      await sender?.close();
    },
  };
}

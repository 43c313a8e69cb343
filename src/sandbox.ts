import type { Hono } from 'hono';
import type { Order, Refill } from './api-types.ts';
import { monotonicClock, realDelay, systemClock, TenantClocks, type Clock, type ClockMode, type ClockSettings } from './clock.ts';
import { KeyedLock } from './concurrency/keyed-lock.ts';
import { Coverage } from './coverage/coverage.ts';
import { possibilitiesOf, type Possibilities } from './coverage/possibilities.ts';
import { Catalog } from './domain/catalog.ts';
import { DEFAULT_MAX_ORDERS, OrderService } from './domain/orders.ts';
import { DEFAULT_MAX_REFILLS, RefillService } from './domain/refills.ts';
import { testDataOrders } from './domain/test-data.ts';
import { fixtureImporter } from './fixtures/import.ts';
import type { Fixtures } from './fixtures/fixtures.ts';
import { DEFAULT_MAX_BODY_BYTES } from './http/body.ts';
import { corsMiddleware, type CorsSetting } from './http/cors.ts';
import type { SandboxEnv } from './http/env.ts';
import { DEFAULT_LATENCY_MS, faultInjection, type FaultKind } from './http/faults.ts';
import { orderHandlers } from './http/handlers/orders.ts';
import { refillHandlers } from './http/handlers/refills.ts';
import { sandboxHandlers } from './http/handlers/sandbox.ts';
import { pageHandlers } from './http/handlers/pages.ts';
import { serviceHandlers } from './http/handlers/service.ts';
import { webhookHandlers } from './http/handlers/webhooks.ts';
import { bindOperations } from './http/operations.ts';
import { createApp, inProcessFetch } from './http/pipeline.ts';
import { requestLog } from './http/request-log.ts';
import { RateLimiter, SANDBOX_RATE_LIMITS, type RateLimitGroup } from './http/rate-limit.ts';
import { DEFAULT_MAX_IDEMPOTENCY_KEYS } from './http/idempotency.ts';
import { createServices } from './http/services.ts';
import { randomIds, SeededStreams, seededIds, type IdGenerator } from './ids.ts';
import { webhookEntry, type LogSetting } from './log/entry.ts';
import { RequestJournal } from './log/journal.ts';
import { sinkFor } from './log/writer.ts';
import type { EngineDeps } from './lifecycle/engine.ts';
import { DEFAULT_TIMELINE, type Timeline } from './lifecycle/order-lifecycle.ts';
import { DEFAULT_REFILL_TIMELINE, type RefillTimeline } from './lifecycle/refill-lifecycle.ts';
import { MemoryStore } from './store/memory-store.ts';
import { validateSandboxOptions } from './options.ts';
import { assetsDirectory } from './package-info.ts';
import { openApiDocument, propertyMaxItems } from './spec.ts';
import type { Store } from './store/store.ts';
import { DEFAULT_MAX_TENANTS, DEFAULT_TENANT_IDLE_MS, Tenancy, type TenantPart } from './tenancy/tenancy.ts';
import { Sweeper } from './sweeper.ts';
import { discriminatedTest } from './validation.ts';
import { eventContent } from './webhooks/events.ts';
import { UndiciSender } from './webhooks/undici-sender.ts';
import {
  DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_ENDPOINTS, DEFAULT_WEBHOOK_TIMEOUT_MS, WebhookService, type WebhookSender,
} from './webhooks/webhook-service.ts';

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
  /** The secret for `webhookUrl`'s signatures, never shown to a key (listed as `whsec_redacted`). Default: a random one per key, shown by GET /sandbox/webhook-endpoints. */
  webhookSecret?: string;
  /**
   * Refuse webhook destinations on loopback (127/8, ::1, localhost) and private ranges (10/8,
   * 172.16/12, 192.168/16, 100.64/10, fc00::/7), at registration and, for names resolving to them,
   * when connecting; delivery errors then say nothing of what is listening where. For a sandbox
   * others can reach. Default false (local use). Credentials in URLs and link-local hosts are always refused.
   */
  webhookDenyPrivate?: boolean;
  /** Real time a receiver has to answer. Default 10 000 ms, as published. */
  webhookTimeoutMs?: number;
  /** How webhooks are posted (see WebhookSender). Default: undici, one connection pool per receiver origin. */
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
  /** Orders one API key may hold, the published test order included; one more is a 409 `limit_reached`. Default 100 000. */
  maxOrders?: number;
  /** Refills one API key may hold; one more is a 409 `limit_reached`. Default 100 000. */
  maxRefills?: number;
  /** Webhook endpoints one API key may have, a `webhookUrl` subscription included; one more is a 409 `limit_reached`. Default 20. */
  maxEndpoints?: number;
  /** Delivery attempts kept per endpoint: the newest; older ones are dropped. Default 1000. */
  maxDeliveries?: number;
  /** Idempotency keys one API key keeps (besides their 24 hours): past it the oldest finished ones are dropped early. Default 10 000. */
  maxIdempotencyKeys?: number;
  /** Told of every failure that became a 500. Default: one line on stderr. */
  onUnexpectedError?: (error: unknown) => void;
  /**
   * The request log: one entry per request answered and per webhook attempt. `pretty` or `json`
   * writes a line each on stdout; a function gets each entry (see LogEntry). Default `off` (the
   * CLI's default is `pretty`).
   */
  log?: LogSetting;
  /** CORS for browser front-ends: true for any origin, or the origins allowed. Default off, as production. */
  cors?: CorsSetting;
  /** Where the dashboard's and docs page's files are read from. Default: dist/assets of this package, made by `npm run build`. */
  assetsDir?: string;
}

export interface Sandbox {
  app: Hono<SandboxEnv>;
  /** Serves one request in-process, with no port; `env` is the server's (as @hono/node-server passes it). */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** Like Hono's `app.request`: a path or URL with optional RequestInit. */
  request(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Applies every change due on every tenant's clock now, and waits for the webhooks they send. */
  sweep(): Promise<void>;
  /** Stops the background sweep and closes the default webhook sender's connections. */
  close(): Promise<void>;
}

/** Where a seeded virtual clock starts unless told otherwise: a Monday after the published test order. */
export const SEEDED_START_TIME = Date.parse('2025-02-03T15:00:00Z');

/** Clocks start where asked; a seeded virtual clock at a fixed instant, so seeded runs repeat. */
function clockSettings(options: SandboxOptions): ClockSettings {
  const mode = options.clockMode ?? 'real';
  const startAt = options.startTime ?? (options.seed !== undefined && mode === 'virtual' ? SEEDED_START_TIME : undefined);
  return { mode, timeScale: options.timeScale ?? 1, ...(startAt === undefined ? {} : { startAt }) };
}

/** Ids, secrets and fault draws: under a seed, each key draws from streams of its own, so parallel runs stay reproducible. */
function randomStreams(options: SandboxOptions) {
  const random = randomIds();
  const idStreams = options.seed === undefined ? undefined : new SeededStreams(options.seed, 'ids');
  const faultStreams = options.seed === undefined ? undefined : new SeededStreams(options.seed, 'faults');
  return {
    idsFor: (tenant: string): IdGenerator => options.ids ?? idStreams?.for(tenant) ?? random,
    faultDrawsFor: (tenant: string): IdGenerator => faultStreams?.for(tenant) ?? random,
    requestIds: options.seed === undefined ? random : seededIds(options.seed ^ 0x5eed),
    part: {
      name: 'random streams',
      forget: (tenant) => {
        idStreams?.forget(tenant);
        faultStreams?.forget(tenant);
      },
    } satisfies TenantPart,
  };
}

let possibilities: Possibilities | undefined;
/** The same for every sandbox of the process: read from the spec once, not per createSandbox. */
const specPossibilities = () => (possibilities ??= possibilitiesOf(openApiDocument));

/** The composition root: every part of one sandbox, wired together. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  validateSandboxOptions(options);
  const store = options.store ?? new MemoryStore();
  const reportUnexpected = options.onUnexpectedError
    ?? ((error: unknown) => console.error(`nimbus-sandbox: unexpected error: ${(error as Error)?.stack ?? String(error)}`));
  const realClock = options.realClock ?? systemClock;
  const startedAt = realClock.now();
  // Durations on the monotonic clock, unless a test gives its own real clock.
  const stopwatch = options.realClock ?? monotonicClock;
  const log = sinkFor(options.log ?? 'off');
  const journal = new RequestJournal(propertyMaxItems('RequestJournal', 'data'));
  const coverage = new Coverage(specPossibilities());
  const lock = new KeyedLock<string>();
  const clocks = new TenantClocks(options.clock ?? systemClock, clockSettings(options));
  const clockFor = (tenant: string) => clocks.for(tenant);
  const streams = randomStreams(options);
  const { idsFor } = streams;
  const catalog = Catalog.withFixtures(options.fixtures);
  const strictReferences = options.strictReferences ?? false;
  const denyPrivate = options.webhookDenyPrivate ?? false;
  const sender = options.webhookSender === undefined ? new UndiciSender({ denyPrivate }) : undefined;
  const webhooks = new WebhookService({
    store, lock, idsFor, clockFor, reportUnexpected, denyPrivate,
    send: options.webhookSender ?? sender!.send,
    timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    isValidEvent: discriminatedTest('WebhookEvent', 'type'),
    maxEndpoints: options.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    ...(log === undefined ? {} : { stopwatch }),
    onAttempt: (tenant, report) => {
      coverage.attempted(tenant, report.delivery, report.sent);
      log?.(webhookEntry(tenant, report, realClock.now()));
    },
    ...(options.webhookUrl === undefined ? {} : { subscribeAll: { url: options.webhookUrl, ...(options.webhookSecret === undefined ? {} : { secret: options.webhookSecret }) } }),
  });
  const onChangeOf = (kind: 'order' | 'refill'): EngineDeps<unknown>['onChange'] => (tenant, change, event, resource) => {
    coverage.reached(tenant, kind, change.status);
    if (event !== undefined) webhooks.publish(tenant, eventContent(event, resource as Order | Refill), change.at);
  };
  const orders = new OrderService({ store, lock, idsFor, clockFor, catalog, strictReferences, onChange: onChangeOf('order'), reportUnexpected,
    timeline: { ...DEFAULT_TIMELINE, ...options.timeline }, maxOrders: options.maxOrders ?? DEFAULT_MAX_ORDERS });
  const refills = new RefillService({ store, lock, idsFor, clockFor, catalog, strictReferences, onChange: onChangeOf('refill'), reportUnexpected,
    timeline: { ...DEFAULT_REFILL_TIMELINE, ...options.refillTimeline }, maxRefills: options.maxRefills ?? DEFAULT_MAX_REFILLS });
  const rateLimiter = options.rateLimit === false
    ? undefined
    : new RateLimiter({ ...SANDBOX_RATE_LIMITS, ...options.rateLimit }, realClock);
  const importFixtures = fixtureImporter(options.fixtures, orders, refills);

  /** Everything a key has outside the store's data: set-up, reset and forgetting walk them in this order. */
  const parts: TenantPart[] = [
    {
      name: 'clock',
      setUp: async (tenant) => clocks.for(tenant).setAdvanced((await store.getSettings(tenant))?.clockAdvancedMs ?? 0),
      forget: (tenant) => clocks.forget(tenant),
    },
    streams.part,
    { name: 'rate windows', forget: (tenant) => rateLimiter?.forget(tenant) },
    {
      name: 'webhooks',
      seed: (tenant, seed) => {
        const { defaultSecret, endpoints } = webhooks.seed(tenant);
        seed.settings.defaultSecret = defaultSecret;
        seed.endpoints.push(...endpoints);
      },
      setUp: (tenant) => webhooks.load(tenant),
      beforeReset: (tenant) => webhooks.forget(tenant),
      reset: (tenant) => webhooks.load(tenant),
      forget: (tenant) => webhooks.forget(tenant),
    },
    ...[orders.engine, refills.engine].map((engine): TenantPart => ({
      name: `${engine.noun} schedule`,
      beforeReset: (tenant) => engine.due.drop(tenant),
      forget: (tenant) => engine.due.drop(tenant),
    })),
    journal.part,
    { name: 'fixtures', setUp: async (tenant, created) => { if (created) await importFixtures(tenant); }, reset: importFixtures },
    // Last, so what the fixtures' import set in motion is not counted as the key's own traffic.
    coverage.part,
  ];
  const tenancy = new Tenancy({
    store, lock, parts, reportUnexpected,
    initialOrders: testDataOrders,
    maxTenants: options.maxTenants ?? DEFAULT_MAX_TENANTS,
    idleMs: options.tenantIdleMs ?? DEFAULT_TENANT_IDLE_MS,
    realClock,
  });

  const services = createServices({
    store, orders, refills, webhooks, clocks, tenancy, journal, coverage, realClock, startedAt,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    requireIdempotencyKey: options.requireIdempotencyKey ?? false,
    maxIdempotencyKeys: options.maxIdempotencyKeys ?? DEFAULT_MAX_IDEMPOTENCY_KEYS,
  });
  const app = createApp(bindOperations({
    ...orderHandlers(services), ...refillHandlers(services), ...webhookHandlers(services), ...sandboxHandlers(services),
    ...serviceHandlers(services), ...pageHandlers(() => options.assetsDir ?? assetsDirectory()),
  }), {
    log: requestLog({ ...(log === undefined ? {} : { sink: log }), journal, coverage, realClock, stopwatch }),
    ...(options.cors === undefined || options.cors === false ? {} : { cors: corsMiddleware(options.cors) }),
    requestIds: streams.requestIds,
    apiKeys: options.apiKeys === undefined ? undefined : new Set(options.apiKeys),
    tenants: tenancy,
    rateLimiter,
    faults: faultInjection({
      rate: options.faultRate ?? 0,
      kinds: options.faultKinds ?? ['429', '500', '503', 'drop', 'lost-response'],
      latencyMs: options.faultLatencyMs ?? DEFAULT_LATENCY_MS,
      delay: options.delay ?? realDelay,
      randomFor: streams.faultDrawsFor,
    }),
    reportUnexpected,
  });
  const sweeper = new Sweeper({
    engines: [orders.engine, refills.engine], tenancy, webhooks, lock, reportUnexpected,
    intervalMs: options.sweepIntervalMs ?? 1000,
  });

  const fetch = inProcessFetch(app);
  return {
    app,
    fetch,
    request: (input, init) => fetch(input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)),
    sweep: () => sweeper.sweep(),
    close: async () => {
      sweeper.stop();
      await sender?.close();
    },
  };
}

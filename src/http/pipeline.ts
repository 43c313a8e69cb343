import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { Refusal } from '../domain/refusal.ts';
import type { IdGenerator } from '../ids.ts';
import { requestHeader, type SandboxEnv } from './env.ts';
import { answerOf, errorBody, HttpRefusal, INTERNAL_ERROR_MESSAGE } from './errors.ts';
import { ConnectionDropped, type FaultInjection } from './faults.ts';
import type { BoundOperation, BoundPath } from './operations.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RequestLog } from './request-log.ts';

type Answer = Response | Promise<Response>;

/** What the pipeline needs of tenancy: admission of a key, and holding it while a request runs. */
export interface TenantGate {
  enter(tenant: string): Promise<void> | undefined;
  use<T>(tenant: string, work: () => T): T | Promise<Awaited<T>>;
}

export interface PipelineDeps {
  requestIds: IdGenerator;
  /** Accept only these API keys; undefined: any non-empty key. */
  apiKeys: ReadonlySet<string> | undefined;
  tenants: TenantGate;
  rateLimiter: RateLimiter | undefined;
  faults: FaultInjection;
  reportUnexpected(error: unknown): void;
  /** The request log, if one is kept. */
  log?: RequestLog;
  /** CORS, if on: Hono middleware answering preflights itself. */
  cors?: MiddlewareHandler<SandboxEnv>;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/**
 * The request pipeline, in order: request log → CORS → request id → API key (401; not for keyless
 * operations) → tenant (set up on first use) → rate limit and faults (published API only) → the
 * method's handler, or 405. Each path is one Hono handler running all of it, the request log
 * included, so Hono takes its single-handler fast path and a request with nothing to wait for
 * stays synchronous. Only CORS is Hono middleware, as it answers preflights before any route; the
 * log then runs as the outermost middleware. Every refusal, at any step, is rendered here, once.
 */
export function createApp(paths: readonly BoundPath[], deps: PipelineDeps): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const { log, cors } = deps;
  if (cors !== undefined) {
    if (log !== undefined) app.use(log.middleware);
    app.use(cors);
  }
  const logAround = cors === undefined ? log : undefined;

  const renderError = (error: unknown, c: Context<SandboxEnv>): Response => {
    let refusal: Refusal;
    if (error instanceof Refusal) {
      refusal = error;
    } else {
      deps.reportUnexpected(error);
      refusal = new Refusal('internal_error', INTERNAL_ERROR_MESSAGE);
    }
    const requestId = c.get('requestId') ?? deps.requestIds.next('req');
    const { status, headers } = answerOf(refusal);
    c.set('errorCode', refusal.code);
    return c.body(errorBody(refusal, requestId), status as 400, {
      ...JSON_TYPE, ...c.get('responseHeaders'), ...headers, 'X-Request-Id': requestId,
    });
  };
  app.onError(renderError);

  /** Hono's own handling of a throw: an Error is rendered, anything else (a dropped connection) goes through. */
  const renderThrown = (error: unknown, c: Context<SandboxEnv>): Response => {
    if (error instanceof Error) return renderError(error, c);
    throw error;
  };

  /** `handler` with the request log around it, its refusals rendered first so the log sees their status. */
  const logged = (handler: (c: Context<SandboxEnv>) => Answer) => {
    if (logAround === undefined) return handler;
    return (c: Context<SandboxEnv>): Answer => logAround.around(c, handler, renderThrown);
  };

  /** The caller's tenant, from X-API-Key; throws the 401. */
  const authenticate = (c: Context<SandboxEnv>): string => {
    const key = requestHeader(c, 'x-api-key');
    if (key === undefined || key === '' || key.length > 256 || (deps.apiKeys !== undefined && !deps.apiKeys.has(key))) {
      throw new Refusal('unauthorized', 'Invalid or missing API key', { field: 'X-API-Key', reason: key ? 'Not accepted' : 'Missing' });
    }
    return key;
  };

  // Rendered here: behind middleware, Hono hands a not-found handler's throw to no error handler.
  app.notFound(logged((c) => {
    c.set('requestId', deps.requestIds.next('req'));
    try {
      authenticate(c);
      throw new Refusal('not_found', `No route ${c.req.method} ${c.req.path.slice(0, 200)}`, {
        field: 'path', reason: 'Not a Nimbus OS API or sandbox route',
      });
    } catch (error) {
      return renderError(error, c);
    }
  }));

  for (const { route, specPath, group, keyless, methods } of paths) {
    const allowed = [...methods.keys()];
    const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
    const dispatch = (c: Context<SandboxEnv>, operation: BoundOperation | undefined): Answer => {
      if (operation === undefined) {
        throw new HttpRefusal('method_not_allowed', `${c.req.method} is not allowed on ${specPath}; use ${allow}`, {
          field: 'method', reason: `Allowed: ${allow}`,
        }, { Allow: allow });
      }
      return operation.serve(c);
    };
    const serve = (c: Context<SandboxEnv>, tenant: string, operation: BoundOperation | undefined): Answer => deps.tenants.use(tenant, (): Answer => {
      c.set('tenant', tenant);
      if (group === undefined) return dispatch(c, operation);
      if (deps.rateLimiter !== undefined) c.set('responseHeaders', deps.rateLimiter.take(tenant, group));
      return deps.faults(c, () => dispatch(c, operation));
    }) as Answer;
    app.all(route, logged((c): Answer => {
      c.set('requestId', deps.requestIds.next('req'));
      // Hono answers HEAD by dispatching it as GET; the request still says HEAD.
      const operation = methods.get(c.req.method === 'HEAD' ? 'GET' : c.req.method);
      if (keyless) {
        if (operation !== undefined) c.set('operationId', operation.id);
        return dispatch(c, operation);
      }
      const tenant = authenticate(c);
      // Named once the key is accepted, before the rate limit and faults, whose refusals are the operation's answers too.
      if (operation !== undefined) c.set('operationId', operation.id);
      const entering = deps.tenants.enter(tenant);
      return entering === undefined ? serve(c, tenant, operation) : entering.then(() => serve(c, tenant, operation));
    }));
  }
  return app;
}

/**
 * `app.fetch` for callers in the same process: a connection a fault drops becomes the TypeError
 * that `fetch` gives for a dropped connection.
 */
export function inProcessFetch(app: Hono<SandboxEnv>): (request: Request, env?: unknown) => Promise<Response> {
  return async (request, env) => {
    try {
      return await app.fetch(request, env);
    } catch (error) {
      if (error instanceof ConnectionDropped) {
        throw new TypeError(`fetch failed: the sandbox dropped the connection ${error.afterWork ? 'after doing the work (injected lost-response fault)' : '(injected fault)'}`);
      }
      throw error;
    }
  };
}

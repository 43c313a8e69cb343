import type { Context } from 'hono';
import type { TenantClocks } from '../clock.ts';
import type { IdempotentResult } from '../domain/idempotency.ts';
import type { OrderService } from '../domain/orders.ts';
import type { StoredAnswer } from '../domain/records.ts';
import type { RefillService } from '../domain/refills.ts';
import { ApiError } from '../errors.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import type { SandboxEnv } from './env.ts';

export type SandboxContext = Context<SandboxEnv>;
export type RouteHandler = (c: SandboxContext) => Response | Promise<Response>;
export type Route = (method: 'GET' | 'POST' | 'DELETE', path: string, handler: RouteHandler) => void;

/** What route handlers work with: the services of one sandbox, and its request plumbing. */
export interface RouteServices {
  orders: OrderService;
  refills: RefillService;
  webhooks: WebhookService;
  clocks: TenantClocks;
  maxBodyBytes: number;
  /** The request's Idempotency-Key, checked; read before the body so a bad key is refused first. */
  idempotencyKey(c: SandboxContext): string | undefined;
  /** Runs `work` at most once per key and request, answering replays from the store. */
  idempotent(c: SandboxContext, key: string | undefined, body: unknown, work: (requestId: string) => Promise<StoredAnswer>): Promise<IdempotentResult>;
  /** The tenant back to its initial data. */
  resetTenant(tenant: string): Promise<void>;
}

/**
 * Headers go as one plain object in a plain Response, not through `c.header()` or `c.body()`,
 * which build a Headers object: @hono/node-server then takes its cached fast path.
 */
function headersFor(c: SandboxContext, extra?: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Request-Id': c.get('requestId') };
  const shared = c.get('responseHeaders');
  if (shared !== undefined) Object.assign(headers, shared);
  if (extra !== undefined) Object.assign(headers, extra);
  return headers;
}

export function json(c: SandboxContext, body: unknown, status: 200 | 201 = 200): Response {
  return jsonText(c, JSON.stringify(body), status);
}

/** A body already written as JSON. */
export function jsonText(c: SandboxContext, body: string, status: 200 | 201 = 200): Response {
  return new Response(body, { status, headers: headersFor(c) });
}

/** An idempotent answer, fresh or replayed. */
export function send(c: SandboxContext, { answer, replayed }: IdempotentResult): Response {
  const headers = headersFor(c, answer.headers);
  if (replayed) {
    headers['Idempotent-Replayed'] = 'true';
    headers['Original-Request-Id'] = answer.requestId;
  }
  return new Response(answer.body, { status: answer.status, headers });
}

/** A path id checked against its spec parameter; an id of the wrong shape cannot exist, so it is a 404. */
export function idParam(c: SandboxContext, name: string, isValid: (value: string) => boolean, noun: string, prefix: string): string {
  const id = c.req.param(name) ?? '';
  if (!isValid(id)) {
    throw new ApiError('not_found', `No ${noun} with id ${id.slice(0, 100)}`, {
      field: name, reason: `${noun[0]!.toUpperCase()}${noun.slice(1)} ids start with ${prefix} followed by letters, digits or underscores`,
    });
  }
  return id;
}

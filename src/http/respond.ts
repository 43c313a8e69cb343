import type { Context } from 'hono';
import type { ErrorCode } from '../api-types.ts';
import type { operations, webhooks } from '../generated/openapi.ts';
import type { SandboxEnv } from './env.ts';
import type { IdempotentResult } from './idempotency.ts';

export type SandboxContext = Context<SandboxEnv>;
type WebhookOperation = { [Event in keyof webhooks]: webhooks[Event] extends { post: infer Post } ? Post : never }[keyof webhooks];
/** The operations the sandbox serves: every operation of the spec's `paths` (its `webhooks` are sent, not served). */
export type OperationId = { [Op in keyof operations]: operations[Op] extends WebhookOperation ? never : Op }[keyof operations];

type Responses<Op extends OperationId> = operations[Op]['responses'];
/** The operation's success status, as the spec documents it. */
export type SuccessStatus<Op extends OperationId> = Extract<keyof Responses<Op>, 200 | 201>;
/** The body the spec documents for the operation's success. */
export type SuccessBody<Op extends OperationId> = Responses<Op>[SuccessStatus<Op>] extends { content: { 'application/json': infer Body } } ? Body : never;
/** The operation's path parameters, by name. */
export type PathParams<Op extends OperationId> = operations[Op]['parameters'] extends { path: infer Path } ? Path extends object ? Path : Record<string, never> : Record<string, never>;

/** Serves one operation: typed against the spec's operation of that id. */
export type Handler<Op extends OperationId> = (c: SandboxContext, params: PathParams<Op>) => Response | Promise<Response>;
export type Handlers = { [Op in OperationId]: Handler<Op> };

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

/** The operation's documented success answer. */
export function ok<Op extends OperationId>(c: SandboxContext, body: SuccessBody<Op>, status?: SuccessStatus<Op>): Response {
  return okText<Op>(c, JSON.stringify(body), status);
}

/** The success answer, its body already written as JSON (of the documented type). */
export function okText<Op extends OperationId>(c: SandboxContext, body: string, status?: SuccessStatus<Op>): Response {
  return new Response(body, { status: (status as number | undefined) ?? 200, headers: headersFor(c) });
}

/** A 200 whose body is not JSON (such as the spec as YAML), with its own content type. */
export function okAs(c: SandboxContext, body: string, contentType: string): Response {
  return new Response(body, { status: 200, headers: { ...headersFor(c), 'Content-Type': contentType } });
}

/** An idempotent answer, fresh or replayed. */
export function send(c: SandboxContext, { answer, replayed }: IdempotentResult): Response {
  const headers = headersFor(c, answer.headers);
  if (replayed) {
    headers['Idempotent-Replayed'] = 'true';
    headers['Original-Request-Id'] = answer.requestId;
    c.set('replayed', true);
  }
  // A stored refusal (such as refill_not_eligible) is answered here, not by the error renderer.
  if (answer.status >= 400) c.set('errorCode', (JSON.parse(answer.body) as { error: { code: ErrorCode } }).error.code);
  return new Response(answer.body, { status: answer.status, headers });
}

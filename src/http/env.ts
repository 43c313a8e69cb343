import type { Context } from 'hono';
import type { ErrorCode } from '../api-types.ts';
import type { FaultKind } from './faults.ts';
import type { OperationId } from './respond.ts';

export interface SandboxEnv {
  Variables: {
    requestId: string;
    tenant: string;
    /** Headers every answer to this request carries (the X-RateLimit-* family). */
    responseHeaders?: Record<string, string>;
    /** What the request log reports: the operation served, the fault injected, the error answered, a replay. */
    operationId?: OperationId;
    fault?: FaultKind;
    errorCode?: ErrorCode;
    replayed?: boolean;
  };
}

interface NodeBindings {
  incoming?: { headers: Record<string, string | string[] | undefined> };
}

/**
 * A request header by lower-case name. Under @hono/node-server it reads Node's parsed headers,
 * sparing the Fetch Headers object that the first `c.req.header()` builds on every request.
 */
export function requestHeader(c: Context<SandboxEnv>, name: string): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

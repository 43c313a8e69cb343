import type { Context } from 'hono';

export interface SandboxEnv {
  Variables: {
    requestId: string;
    tenant: string;
    /** Headers every answer to this request carries (the X-RateLimit-* family). */
    responseHeaders?: Record<string, string>;
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

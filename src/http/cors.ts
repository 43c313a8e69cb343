import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { openApiDocument, operationParameters } from '../spec.ts';
import type { SandboxEnv } from './env.ts';
import { FAULT_HEADER } from './faults.ts';
import { specOperations } from './operations.ts';

/** The `cors` option: true for any origin, or the origins allowed (`https://app.example:8443`). */
export type CorsSetting = boolean | readonly string[];

/** How long (s) a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

type Responses = Record<string, { headers?: Record<string, unknown> }>;

/** Every response header the spec documents (Location, X-Request-Id, X-RateLimit-*, …), which a browser script may read. */
export function publishedResponseHeaders(): string[] {
  const { paths, components } = openApiDocument as unknown as {
    paths: Record<string, Record<string, { responses?: Responses }>>;
    components: { responses: Responses };
  };
  const responses = [
    ...Object.values(paths).flatMap((item) => Object.values(item).flatMap((operation) => Object.values(operation.responses ?? {}))),
    ...Object.values(components.responses),
  ];
  const names = new Set(responses.flatMap((response) => Object.keys(response.headers ?? {})));
  names.delete('Content-Type');
  return [...names].sort();
}

/** The request headers a client of the served API sends: the API key's, the spec's header parameters, the fault header. */
export function acceptedRequestHeaders(): string[] {
  const schemes = Object.values((openApiDocument as unknown as { components: { securitySchemes: Record<string, { in?: string; name?: string }> } }).components.securitySchemes);
  const names = new Set(['Content-Type', FAULT_HEADER, ...schemes.filter((scheme) => scheme.in === 'header').map((scheme) => scheme.name!)]);
  for (const operation of specOperations()) for (const parameter of operationParameters(operation.id, 'header')) names.add(parameter.name);
  return [...names].sort();
}

/**
 * CORS for browser front-ends calling the sandbox: preflights answered (204) before any key or
 * rate limit, and every answer, errors included, readable by the allowed origins.
 */
export function corsMiddleware(setting: true | readonly string[]): MiddlewareHandler<SandboxEnv> {
  const methods = new Set(specOperations().map((operation) => operation.method));
  if (methods.has('GET')) methods.add('HEAD');
  return cors({
    origin: setting === true ? '*' : [...setting],
    allowMethods: [...methods],
    allowHeaders: acceptedRequestHeaders(),
    exposeHeaders: publishedResponseHeaders(),
    maxAge: CORS_MAX_AGE_SECONDS,
  });
}

import { randomBytes } from 'node:crypto';
import type { FetchFn } from '../../contract-tests/kit/target.ts';

/**
 * Tools for breaking a working server in exactly one way. A breakage wraps the server's fetch;
 * fake answers are made from genuine ones (their X-Request-Id and rate-limit headers kept), so
 * each broken server departs from the contract in the one rule it is named for.
 */
export type Breakage = (inner: FetchFn) => FetchFn;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

// Bodies of answers are JSON of many shapes; breakages poke at them freely.
export type AnyJson = any;

export const pathOf = (request: Request) => new URL(request.url).pathname;
export const apiKeyOf = (request: Request) => request.headers.get('x-api-key') ?? '';
export const isCreateOrder = (request: Request) => request.method === 'POST' && pathOf(request) === '/orders';
export const isOrderPath = (request: Request) => /^\/orders\/[^/]+$/.test(pathOf(request));
export const randomId = (prefix: string) => `${prefix}_${randomBytes(9).toString('hex')}`;

export async function read(response: Response): Promise<Answer> {
  return { status: response.status, headers: new Headers(response.headers), text: await response.text() };
}

export function toResponse(answer: Answer): Response {
  const noBody = answer.status === 204 || answer.status === 304;
  return new Response(noBody ? null : answer.text, { status: answer.status, headers: answer.headers });
}

export function jsonOf(answer: Answer): AnyJson {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

export async function bodyOf(request: Request): Promise<AnyJson> {
  try {
    return await request.clone().json();
  } catch {
    return undefined;
  }
}

/** The answer with its body replaced by `change(body)` (which may edit in place and return nothing). */
export function withJson(answer: Answer, change: (body: AnyJson) => AnyJson): Answer {
  const body = jsonOf(answer);
  const changed = change(body);
  return { ...answer, text: JSON.stringify(changed === undefined ? body : changed) };
}

export function withHeaders(answer: Answer, changes: Record<string, string | null>): Answer {
  const headers = new Headers(answer.headers);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return { ...answer, headers };
}

/** A genuine answer's headers with an error envelope naming its own X-Request-Id. */
export function errorFrom(answer: Answer, status: number, code: string, message: string): Answer {
  const requestId = answer.headers.get('x-request-id');
  return { status, headers: answer.headers, text: JSON.stringify({ error: { code, message, requestId } }) };
}

export function requestWith(request: Request, changes: { headers?: Record<string, string | null>; json?: unknown; url?: string; method?: string }): Request {
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  const method = changes.method ?? request.method;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = changes.json !== undefined ? JSON.stringify(changes.json) : hasBody ? request.clone().body : null;
  return new Request(changes.url ?? request.url, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
}

/** A GET of the same URL with the same key: how fakes learn an order's state (and get genuine headers). */
export function readBack(inner: FetchFn, request: Request): Promise<Answer> {
  return inner(requestWith(request, { method: 'GET', headers: { 'content-type': null } })).then(read);
}

/** Rewrites answers; `rewrite` returns the answer to send, or nothing to send it unchanged. */
export function mapAnswers(rewrite: (answer: Answer, request: Request) => Answer | void | Promise<Answer | void>): Breakage {
  return (inner) => async (request) => {
    const answer = await read(await inner(request.clone()));
    return toResponse((await rewrite(answer, request)) ?? answer);
  };
}

/** Rewrites requests before the server sees them. */
export function mapRequests(rewrite: (request: Request) => Request | Promise<Request>): Breakage {
  return (inner) => async (request) => inner(await rewrite(request));
}

/** Takes over requests `handle` answers; the rest reach the server untouched. */
export function intercept(handle: (request: Request, inner: FetchFn) => Promise<Answer | undefined>): Breakage {
  return (inner) => async (request) => {
    const answer = await handle(request, inner);
    return answer === undefined ? inner(request) : toResponse(answer);
  };
}

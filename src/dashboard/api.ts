/** The dashboard's calls to the sandbox, with the tab's key; errors carry the envelope's message. */

/** Sent on every polling read so the sandbox leaves it out of the key's request journal. */
export const POLL_HEADER = { 'Nimbus-Sandbox-Dashboard': 'poll' };

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string, readonly field?: string) {
    super(message);
  }
}

/** A list read refused because its cursor is gone (a reset removed its record): page 1 is the way back. */
export function isUnknownCursor(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && error.field === 'cursor';
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export interface Api {
  /** A read made by polling, not by the user. */
  poll<T>(path: string): Promise<T>;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

interface Envelope { error?: { code?: string; message?: string; details?: { field?: string; reason?: string } } }

/** The error a failed answer describes: the envelope's message, with the field and reason it names, else the status. */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as Envelope;
    if (typeof error?.message === 'string') {
      const detail = [error.details?.field, error.details?.reason].filter((part) => typeof part === 'string').join(': ');
      return new ApiError(response.status, detail === '' ? error.message : `${error.message} (${detail})`, error.code, error.details?.field);
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return new ApiError(response.status, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
}

export function createApi(key: string, fetcher: Fetch = (input, init) => fetch(input, init)): Api {
  async function request<T>(method: string, path: string, extra: Record<string, string>, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'X-API-Key': key, ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetcher(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'The sandbox did not answer: is it still running?');
    }
    if (!response.ok) throw await errorOf(response);
    return await response.json() as T;
  }
  return {
    poll: (path) => request('GET', path, POLL_HEADER),
    call: (method, path, body) => request(method, path, {}, body),
  };
}

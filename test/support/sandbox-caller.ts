import type { Sandbox } from '../../src/sandbox.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Answers are checked against the spec's schemas by the tests that read them.
  body: any;
}

/** Calls an in-process sandbox as one API key: JSON in, parsed JSON (and the raw text) out. */
export function sandboxCaller(sandbox: Sandbox, apiKey: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await sandbox.request(path, {
      method,
      headers: { 'X-API-Key': apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
  };
}

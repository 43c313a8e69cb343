/**
 * What the bench scripts (bench/run.ts, bench/abuse.ts) share: waiting for a spawned sandbox to
 * print its URL, stopping it, and one-off requests on a fresh connection. Imports nothing of src/.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';

export const HOST = '127.0.0.1';

export interface Answer { status: number; body: string }

/**
 * Resolves with the URL a just-spawned server prints (`http://127.0.0.1:PORT`), or rejects with
 * its output when it prints none within `timeoutMs` or exits first. Its stdout keeps draining
 * afterwards, so a chatty server never blocks on a full pipe.
 */
export function listeningUrl(child: ChildProcess, name: string, timeoutMs: number): Promise<string> {
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} printed no URL within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before listening\n${output}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${name}: ${error.message}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost):(\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(`http://${HOST}:${match[1]}`);
    });
  });
}

/** SIGTERM, then SIGKILL if it has not gone within 2 s. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

/** One request on a fresh connection (no pooled socket, no lazy fetch start-up); rejects when the connection fails. */
export function request(url: string, method: 'GET' | 'POST', body: string | undefined, apiKey: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'X-API-Key': apiKey };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

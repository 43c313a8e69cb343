import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.ts';
import { keyFingerprint, type LogSink, type RequestLogEntry } from '../log/entry.ts';
import { requestHeader, type SandboxEnv } from './env.ts';

export interface RequestLogDeps {
  sink: LogSink;
  /** Stamps each entry with the time the request arrived. */
  realClock: Clock;
  /** Measures how long each took: a monotonic clock, unless a test gives its own. */
  stopwatch: Clock;
}

const MAX_PATH_CHARS = 300;

function entryOf(c: Context<SandboxEnv>, arrivedAt: number, durationMs: number, thrown: boolean): RequestLogEntry {
  const fault = c.get('fault');
  const key = requestHeader(c, 'x-api-key');
  const path = c.req.path;
  const entry: RequestLogEntry = {
    kind: 'request',
    time: new Date(arrivedAt).toISOString(),
    method: c.req.method,
    path: path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}...` : path,
    status: thrown || fault === 'drop' || fault === 'lost-response' ? null : c.res.status,
    durationMs: Math.round(durationMs * 1000) / 1000,
    replayed: c.get('replayed') === true,
  };
  const operationId = c.get('operationId');
  if (operationId !== undefined) entry.operationId = operationId;
  const errorCode = c.get('errorCode');
  if (errorCode !== undefined) entry.errorCode = errorCode;
  const requestId = c.get('requestId');
  if (requestId !== undefined) entry.requestId = requestId;
  if (fault !== undefined) entry.fault = fault;
  if (key !== undefined && key !== '') entry.key = keyFingerprint(key);
  return entry;
}

/**
 * The request log, as the pipeline's outermost middleware: one entry per request once it is
 * answered (or its connection dropped by a fault). Registered only when something listens, so a
 * sandbox without a log keeps Hono's single-handler fast path. A sink that throws is ignored.
 */
export function requestLog({ sink, realClock, stopwatch }: RequestLogDeps): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const arrivedAt = realClock.now();
    const started = stopwatch.now();
    let thrown = false;
    try {
      await next();
    } catch (error) {
      thrown = true;
      throw error;
    } finally {
      try {
        sink(entryOf(c, arrivedAt, stopwatch.now() - started, thrown));
      } catch {
        // The log never fails a request.
      }
    }
  };
}

import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.ts';
import type { Coverage } from '../coverage/coverage.ts';
import { isoWithMillis, keyFingerprint, type LogSink, type RequestFacts } from '../log/entry.ts';
import type { RequestJournal } from '../log/journal.ts';
import { requestHeader, type SandboxEnv } from './env.ts';

/** Sent by the dashboard on its own polls, which the journal leaves out (see the spec's DashboardPoll). */
export const DASHBOARD_POLL_HEADER = 'nimbus-sandbox-dashboard';

export interface RequestLogDeps {
  /** Where entries are written, if the log is on. */
  sink?: LogSink;
  /** Each key's last requests, kept whatever the log setting. */
  journal?: RequestJournal;
  /** What each key's traffic has met of the contract. */
  coverage?: Coverage;
  /** Stamps each entry with the time the request arrived. */
  realClock: Clock;
  /** Measures how long each took: a monotonic clock, unless a test gives its own. */
  stopwatch: Clock;
}

const MAX_PATH_CHARS = 300;

type Answer = Response | Promise<Response>;

function factsOf(c: Context<SandboxEnv>, arrivedAt: number, durationMs: number, status: number | undefined): RequestFacts {
  const fault = c.get('fault');
  const path = c.req.path;
  const entry: RequestFacts = {
    time: isoWithMillis(arrivedAt),
    method: c.req.method,
    path: path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}...` : path,
    status: status === undefined || fault === 'drop' || fault === 'lost-response' ? null : status,
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
  return entry;
}

/**
 * The key whose journal takes this request, if any: the tenant served, or for an unknown route
 * the key sent. A keyless operation (health, the pages) belongs to no key.
 */
function journalKey(c: Context<SandboxEnv>, journal: RequestJournal): string | undefined {
  const key = c.get('tenant') ?? (c.get('operationId') === undefined ? requestHeader(c, 'x-api-key') : undefined);
  if (key === undefined || !journal.keeps(key)) return undefined;
  return key;
}

/** The request log: one entry per request once it is answered (or its connection dropped by a fault). */
export interface RequestLog {
  /**
   * Around the pipeline's handler of one request, which renders its own refusals: no middleware,
   * so Hono keeps its single-handler fast path and a synchronous answer stays synchronous.
   */
  around(c: Context<SandboxEnv>, handler: (c: Context<SandboxEnv>) => Answer, renderThrown: (error: unknown, c: Context<SandboxEnv>) => Response): Answer;
  /** The same as the outermost Hono middleware, for when other middleware (CORS) answers some requests itself. */
  middleware: MiddlewareHandler<SandboxEnv>;
}

/**
 * A sink that throws is ignored: the log never fails a request. A dashboard poll goes to neither
 * the journal nor the log: an open dashboard would otherwise write a line a request every 1.5 s.
 */
export function requestLog({ sink, journal, coverage, realClock, stopwatch }: RequestLogDeps): RequestLog {
  const record = (c: Context<SandboxEnv>, arrivedAt: number, started: number, status: number | undefined) => {
    try {
      // Before the poll check: polls read /sandbox operations, which coverage does not count anyway.
      coverage?.answered(c.get('tenant'), c.get('operationId'), status, c.get('errorCode'), c.get('replayed') === true, c.get('fault'));
      if (requestHeader(c, DASHBOARD_POLL_HEADER) === 'poll') return;
      const journaled = journal === undefined ? undefined : journalKey(c, journal);
      if (sink === undefined && journaled === undefined) return;
      const facts = factsOf(c, arrivedAt, stopwatch.now() - started, status);
      if (journaled !== undefined) journal!.record(journaled, facts);
      if (sink === undefined) return;
      const key = requestHeader(c, 'x-api-key');
      sink({ kind: 'request', ...facts, ...(key === undefined || key === '' ? {} : { key: keyFingerprint(key) }) });
    } catch {
      // Never into the request.
    }
  };
  return {
    // One promise step for an asynchronous answer, rendering and recording together: this is every request's path.
    around: (c, handler, renderThrown) => {
      const arrivedAt = realClock.now();
      const started = stopwatch.now();
      const settle = (error: unknown): Response => {
        let rendered: Response;
        try {
          rendered = renderThrown(error, c);
        } catch (unrendered) {
          record(c, arrivedAt, started, undefined);
          throw unrendered;
        }
        record(c, arrivedAt, started, rendered.status);
        return rendered;
      };
      let answered: Answer;
      try {
        answered = handler(c);
      } catch (error) {
        return settle(error);
      }
      if (!(answered instanceof Promise)) {
        record(c, arrivedAt, started, answered.status);
        return answered;
      }
      return answered.then((response) => {
        record(c, arrivedAt, started, response.status);
        return response;
      }, settle);
    },
    middleware: async (c, next) => {
      const arrivedAt = realClock.now();
      const started = stopwatch.now();
      let status: number | undefined;
      try {
        await next();
        status = c.res.status;
      } finally {
        record(c, arrivedAt, started, status);
      }
    },
  };
}

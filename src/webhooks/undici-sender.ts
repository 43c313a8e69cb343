import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { realTimer, systemClock } from '../clock.ts';
import { destinationRefusal, policyLookup, REFUSED_BY_POLICY, type Resolve } from './destination-policy.ts';

/** What one webhook post came to: the receiver's status, if it answered, and why it failed, if it did. */
export interface SendResult {
  status: number | null;
  error: string | null;
}

/**
 * Origins with a pool at once; a new one beyond it closes the one unused for longest. With
 * CONNECTIONS_PER_ORIGIN, it bounds the connections all keys' webhooks hold open together (512),
 * so no key's endpoints can take the process's file descriptors from the others.
 */
export const MAX_ORIGINS = 64;
/** At most this much of an answer's body is read (and thrown away); a longer one ends its connection. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * Requests written on one connection before their answers are in. The service sends up to 32
 * events due together to one endpoint; on loopback the CPU per webhook came out the same (12 to
 * 13 µs) for 16 deep on 2 connections and 4 on 8 (and, through request(), 32 on one was no
 * cheaper than 16 on 2 or 8 on 4), so the shallow pipeline wins: the
 * timeout covers the whole exchange, and a receiver that handles one request at a time answers
 * the last of 4, not of 32, in time.
 */
export const PIPELINING = 4;
/** Connections per receiver origin; posts beyond what they carry wait in the pool. */
export const CONNECTIONS_PER_ORIGIN = 8;

/** How long an origin that closed a connection part-way through pipelined requests gets them one at a time. */
export const SERIAL_MS = 60_000;

/** A request whose connection closed before it was answered: it may be sent once more. */
class Unanswered {
  constructor(readonly result: SendResult) {}
}

class TimeUp extends Error {}
class BodyTooLong extends Error {}

/**
 * One try at a post, as undici's handler: it takes the status, counts the body's bytes and drops
 * them (no stream is made for them), and ends the exchange at the deadline or past the limit.
 */
class Exchange implements Dispatcher.DispatchHandler {
  cancelTimer: (() => void) | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private status: number | undefined;
  private bytes = 0;
  private done = false;

  constructor(
    private readonly resolve: (result: SendResult | Unanswered) => void,
    private readonly timeoutMs: number,
    /** Told when the receiver says it closes the connection after this answer. */
    private readonly closesAfterEach: (() => void) | undefined,
    /** Failures say only "could not connect" (or why policy refused), nothing of what is listening there. */
    private readonly generic: boolean,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Ended (timed out) while waiting for a connection.
    if (this.done) controller.abort(new TimeUp());
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // an interim answer: the real one follows
    this.status = statusCode;
    // It closes after each answer, so anything pipelined behind this would be read and dropped.
    const connection = headers.connection;
    if (this.closesAfterEach !== undefined && typeof connection === 'string' && /\bclose\b/i.test(connection)) this.closesAfterEach();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    // Past the limit: the status stands, and the connection ends rather than read on.
    if (this.bytes > MAX_BODY_BYTES && !this.done) {
      this.finish(statusResult(this.status!));
      controller.abort(new BodyTooLong());
    }
  }

  onResponseEnd(): void {
    this.finish(this.status === undefined ? { status: null, error: this.generic ? COULD_NOT_CONNECT : NOT_HTTP } : statusResult(this.status));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.failed(error);
  }

  failed(error: unknown): void {
    if (this.done) return;
    // The status line decides: a body gone wrong after it only ends the connection.
    if (this.status !== undefined) return this.finish(statusResult(this.status));
    const result = { status: null, error: this.generic ? genericFailure(error) : failure(error) };
    const code = (error as NodeJS.ErrnoException).code;
    this.finish(code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' ? new Unanswered(result) : result);
  }

  timeUp(): void {
    if (this.done) return;
    const within = `within ${this.timeoutMs / 1000} s`;
    this.finish({ status: null, error: this.status === undefined ? `No answer ${within}` : `Answered ${this.status} but did not finish its body ${within}` });
    this.controller?.abort(new TimeUp());
  }

  private finish(result: SendResult | Unanswered): void {
    if (this.done) return;
    this.done = true;
    this.cancelTimer?.();
    this.resolve(result);
  }
}

const NOT_HTTP = 'Answered with something other than HTTP/1.x';
const COULD_NOT_CONNECT = 'Could not connect';
const POLICY_CODE = 'ERR_WEBHOOK_DESTINATION_REFUSED';

export interface UndiciSenderOptions {
  /** Certificate authorities to trust for https receivers, instead of Node's bundled ones (and NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer | Array<string | Buffer>;
  pipelining?: number;
  connections?: number;
  /**
   * Refuse loopback and private destinations too (link-local ones and URLs with credentials are
   * always refused), also for names that resolve to them when connecting; failures then read
   * "Could not connect" rather than what answered where. Default false.
   */
  denyPrivate?: boolean;
  /** How host names are resolved (dns.lookup's shape, with `all`); default dns.lookup. For tests. */
  resolve?: Resolve;
}

interface Target {
  origin: string;
  path: string;
}

/**
 * Posts webhook bodies with undici: one keep-alive pool per receiver origin, pipelining the events
 * sent together. The answer's status is what counts; its body is read up to MAX_BODY_BYTES and
 * dropped. `send` never throws or rejects: every failure comes back as a SendResult.
 *
 * It dispatches with a handler of its own rather than `request()`: no body stream per answer and
 * no AbortSignal per post, which took a webhook from about 20 to about 12 µs of CPU on loopback
 * (the hand-written poster it replaced: about 10).
 *
 * https receivers are checked against Node's bundled CAs plus NODE_EXTRA_CA_CERTS, as with
 * node:https: undici connects with node:tls and passes no `ca` unless given one (checked by hand
 * with a self-signed receiver: refused without the variable, answered with it).
 */
export class UndiciSender {
  /** By origin (and ' serial' after it for one-at-a-time pools), least recently used first. */
  private readonly pools = new Map<string, Pool>();
  /** A receiver gets many events: its URL is parsed once, not for each. */
  private readonly targets = new Map<string, Target | string>();
  private closed = false;
  private PoolClass: typeof Pool | undefined;
  /** The pool last sent through, already last in `pools`. */
  private lastKey: string | undefined;
  /** Origins sent one request per connection at a time, until the given time. */
  private readonly serialUntil = new Map<string, number>();

  constructor(private readonly options: UndiciSenderOptions = {}) {}

  readonly send = async (url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> => {
    // undici is loaded with the first webhook, not at start-up: most runs send none.
    this.PoolClass ??= await loadPool();
    const target = this.target(url);
    if (typeof target === 'string') return { status: null, error: target };
    const deadline = systemClock.now() + timeoutMs;
    const serial = this.serial(target.origin);
    const result = await this.post(target, serial, body, headers, timeoutMs, timeoutMs);
    if (!(result instanceof Unanswered)) return result;
    // The connection closed before this request's answer: a receiver that answers one request
    // per connection (HTTP/1.0 servers such as Python's http.server) or that drops what came
    // behind the first. It is sent once more, and its origin gets one request at a time for a
    // while. (undici itself sends again what was queued but not yet written.)
    this.goSerial(target.origin);
    const left = deadline - systemClock.now();
    if (serial || left <= 0) return result.result;
    const again = await this.post(target, true, body, headers, left, timeoutMs);
    return again instanceof Unanswered ? again.result : again;
  };

  private goSerial(origin: string): void {
    if (this.serialUntil.size >= MAX_ORIGINS) this.serialUntil.clear();
    this.serialUntil.set(origin, systemClock.now() + SERIAL_MS);
  }

  /** Whether the origin is sent one request per connection at a time. */
  private serial(origin: string): boolean {
    if (this.serialUntil.size === 0) return false;
    const until = this.serialUntil.get(origin);
    if (until === undefined) return false;
    if (systemClock.now() < until) return true;
    this.serialUntil.delete(origin);
    return false;
  }

  /** One try, within `ms`; `timeoutMs` is the whole send's, for the message. */
  private post(target: Target, serial: boolean, body: string, headers: Record<string, string>, ms: number, timeoutMs: number): Promise<SendResult | Unanswered> {
    if (this.closed) return Promise.resolve({ status: null, error: 'Not sent: the webhook sender is closed' });
    return new Promise((resolve) => {
      const exchange = new Exchange(resolve, timeoutMs, serial ? undefined : () => this.goSerial(target.origin), this.options.denyPrivate === true);
      exchange.cancelTimer = realTimer(ms, () => exchange.timeUp());
      try {
        this.pool(target.origin, serial).dispatch({
          origin: target.origin,
          method: 'POST',
          path: target.path,
          headers,
          body,
          // A webhook may be sent twice (receivers are told to dedupe by event id), so it may be
          // pipelined: undici sends it again if its connection closes before it was written.
          idempotent: true,
          blocking: false,
        }, exchange);
      } catch (error) {
        exchange.failed(error);
      }
    });
  }

  private target(url: string): Target | string {
    let target = this.targets.get(url);
    if (target === undefined) {
      target = parseTarget(url, this.options.denyPrivate === true);
      if (this.targets.size >= MAX_ORIGINS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private pool(origin: string, serial: boolean): Pool {
    const key = serial ? `${origin} serial` : origin;
    let pool = this.pools.get(key);
    if (pool !== undefined) {
      // Most recently used last; a burst to one origin moves it once.
      if (this.lastKey !== key) {
        this.pools.delete(key);
        this.pools.set(key, pool);
      }
    } else {
      if (this.pools.size >= MAX_ORIGINS) {
        const [oldest, old] = this.pools.entries().next().value!;
        this.pools.delete(oldest);
        // Lets what is under way finish (each is bounded by its timeout).
        old.close().catch(() => {});
      }
      const { ca, pipelining = PIPELINING, connections = CONNECTIONS_PER_ORIGIN, denyPrivate = false, resolve } = this.options;
      pool = new this.PoolClass!(origin, {
        connections: serial ? 1 : connections,
        pipelining: serial ? 1 : pipelining,
        maxHeaderSize: 64 * 1024,
        // Every address a name resolves to is checked on each connection (a name may resolve
        // elsewhere than when it was registered); IP literals never reach a lookup, and were
        // checked in parseTarget.
        connect: { lookup: policyLookup(denyPrivate, resolve), ...(ca === undefined ? {} : { ca }) },
      });
      this.pools.set(key, pool);
    }
    this.lastKey = key;
    return pool;
  }

  /** Closes every pool, once what is under way is done; later sends fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.lastKey = undefined;
    await Promise.all(pools.map((pool) => pool.close().catch(() => {})));
  }
}

function parseTarget(url: string, denyPrivate: boolean): Target | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'Only http and https URLs are supported';
  // Registration refuses these already; a URL from elsewhere (a store filled before, a direct
  // caller) is refused here, never sent.
  if (destinationRefusal(url, denyPrivate) !== undefined) return REFUSED_BY_POLICY;
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function statusResult(status: number): SendResult {
  return { status, error: status >= 200 && status < 300 ? null : `Answered ${status}` };
}

/** A clear reason for what undici or the socket threw. */
function failure(error: unknown): string {
  if (!(error instanceof Error)) return `Not sent: ${String(error)}`;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const cause = (error as { cause?: unknown }).cause;
  switch (code) {
    case POLICY_CODE:
      return REFUSED_BY_POLICY;
    case 'ECONNREFUSED':
      return `Refused the connection (${error.message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Could not resolve the host (${error.message})`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'Closed the connection without answering';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'Could not connect in time';
    case 'UND_ERR_HEADERS_OVERFLOW':
      return 'Answered with a head over 64 KiB';
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return 'Not sent: the webhook sender is closed';
    case 'UND_ERR_INVALID_ARG':
      return `Not sent: ${error.message}`;
    default:
      if (code.startsWith('HPE_') || error.name === 'HTTPParserError') return NOT_HTTP;
      // OpenSSL's own messages for these are its source locations.
      if (code.startsWith('ERR_SSL_')) return `TLS failed (${code})`;
      if (/CERT|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) return `TLS failed: ${error.message}`;
      // undici asserts on an answer it cannot follow, such as 101 Switching Protocols to a POST.
      if (code === 'ERR_ASSERTION') return 'Answered in a way HTTP/1.1 does not allow here';
      if (cause instanceof Error) return failure(cause);
      return error.message || code || error.name;
  }
}

/** What a failure says under denyPrivate: why policy refused it, or only that it could not connect. */
function genericFailure(error: unknown): string {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === POLICY_CODE) return REFUSED_BY_POLICY;
    if (code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED') return 'Not sent: the webhook sender is closed';
  }
  return COULD_NOT_CONNECT;
}

/** undici's Pool, loaded on demand; bundled, the CommonJS module may arrive as its default export. */
async function loadPool(): Promise<typeof Pool> {
  const undici = await import('undici') as typeof import('undici') & { default?: typeof import('undici') };
  return undici.Pool ?? undici.default!.Pool;
}

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { realTimer, systemClock, type Clock } from '../clock.ts';

export interface SendResult {
  status: number | null;
  error: string | null;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4 * 1024;
/** URLs parsed, and origins sent one request at a time: at most this many are remembered. */
const MAX_REMEMBERED = 1_000;
/** Idle connections kept per receiver origin; a burst beyond it closes the rest once done. */
const MAX_IDLE_PER_ORIGIN = 16;
/** An idle keep-alive socket is not reused after this long: Node's servers close theirs after 5 s, and a request must not race that. */
const IDLE_MS = 4_000;

class MalformedResponse extends Error {}

const NOT_HTTP = 'Answered with something other than HTTP/1.x';
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'trailers' | 'until-close' | 'done';

/**
 * Reads one HTTP/1.x response off a socket: the status from its head, then its body skipped by
 * its framing (Content-Length, chunked, or until close), so the socket can carry the next request.
 */
export class ResponseReader {
  phase: Phase = 'head';
  status: number | undefined;
  /** Whether the socket may carry another request once this response is done. */
  reusable = true;
  private pending = '';
  private remaining = 0;

  /**
   * Takes bytes from `offset` on, up to the end of the response at most, and returns where it
   * stopped: what follows is the next response's. Throws MalformedResponse on what is not HTTP/1.x.
   */
  feed(chunk: Buffer, offset = 0): number {
    while (offset < chunk.length && this.phase !== 'done') {
      switch (this.phase) {
        case 'head': {
          // Converting only up to the first blank line: a chunk can hold several pipelined answers.
          const blank = chunk.indexOf(HEAD_END, offset);
          const text = this.pending + chunk.toString('latin1', offset, blank === -1 ? chunk.length : blank + HEAD_END.length);
          const end = text.indexOf('\r\n\r\n');
          if (end > MAX_HEAD_BYTES || (end === -1 && text.length > MAX_HEAD_BYTES)) {
            throw new MalformedResponse(`Answered with a head over ${MAX_HEAD_BYTES / 1024} KiB`);
          }
          // A banner (SSH, SMTP) is refused as soon as its first line is in, not when a timeout ends the wait.
          if (text.includes('\n') && !text.startsWith('HTTP/1.')) throw new MalformedResponse(NOT_HTTP);
          if (end === -1) {
            this.pending = text;
            offset = chunk.length;
          } else {
            offset += end + 4 - this.pending.length;
            this.pending = '';
            this.startBody(text.slice(0, end));
          }
          break;
        }
        case 'length':
        case 'chunk-data': {
          const taken = Math.min(this.remaining, chunk.length - offset);
          offset += taken;
          this.remaining -= taken;
          if (this.remaining === 0) this.phase = this.phase === 'length' ? 'done' : 'chunk-size';
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          const newline = chunk.indexOf(0x0a, offset);
          const text = this.pending + chunk.toString('latin1', offset, newline === -1 ? chunk.length : newline);
          if (text.length > MAX_LINE_BYTES) throw new MalformedResponse('Answered with a chunk line over 4 KiB');
          if (newline === -1) {
            this.pending = text;
            offset = chunk.length;
            break;
          }
          this.pending = '';
          offset = newline + 1;
          const line = text.endsWith('\r') ? text.slice(0, -1) : text;
          if (this.phase === 'trailers') {
            if (line === '') this.phase = 'done';
            break;
          }
          const size = line.split(';', 1)[0]!.trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(size)) throw new MalformedResponse('Answered with a malformed chunked body');
          const bytes = Number.parseInt(size, 16);
          if (bytes === 0) {
            this.phase = 'trailers';
          } else {
            this.remaining = bytes + 2; // the chunk and its CRLF
            this.phase = 'chunk-data';
          }
          break;
        }
        case 'until-close':
          offset = chunk.length;
          break;
      }
    }
    return offset;
  }

  /** The connection closed: the end of a body that runs until close. */
  closed(): void {
    if (this.phase === 'until-close') this.phase = 'done';
    this.reusable = false;
  }

  private startBody(head: string): void {
    const lines = head.split('\r\n');
    const match = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]!);
    if (match === null) throw new MalformedResponse(NOT_HTTP);
    const status = Number(match[2]);
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) {
          throw new MalformedResponse('Answered with a malformed Content-Length');
        }
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = /(?:^|,)\s*chunked$/i.test(value);
      } else if (name === 'connection') {
        connection = value.toLowerCase();
      }
    }
    if (status < 200) {
      if (status === 101) throw new MalformedResponse('Answered 101 Switching Protocols');
      return; // an interim answer (100, 103): the real one follows
    }
    this.status = status;
    this.reusable = match[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    if (status === 204 || status === 304) {
      this.phase = 'done';
    } else if (chunked) {
      this.phase = 'chunk-size';
    } else if (length !== undefined) {
      this.remaining = length;
      this.phase = length === 0 ? 'done' : 'length';
    } else {
      this.phase = 'until-close';
      this.reusable = false;
    }
  }
}

export interface HttpPosterOptions {
  /** Certificate authorities to trust for https receivers, instead of Node's bundled ones. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Real time, which idle connections and the pause in pipelining age by. Default: the system clock. */
  clock?: Clock;
}

/** A request the receiver never began on, because its connection ended first: it may go once more. */
class Unanswered {
  constructor(readonly result: SendResult) {}
}

type Outcome = SendResult | Unanswered;

/** One request under way on a connection. */
interface Exchange {
  reader: ResponseReader;
  timeoutMs: number;
  /** Written while an earlier request on the connection was unanswered. */
  pipelined: boolean;
  received: boolean;
  answered: boolean;
  resolve(outcome: Outcome): void;
  cancelTimer?: () => void;
}

interface ConnectionEvents {
  idle(connection: Connection): void;
  gone(connection: Connection): void;
  /** The receiver closed or went quiet part-way through pipelined requests. */
  notPipelining(): void;
}

/**
 * A keep-alive socket to one origin, carrying requests in order and reading their answers in the
 * same order. Its listeners are set once: adding and removing stream listeners for every request
 * costs more than the request.
 */
class Connection {
  readonly socket: Socket;
  /** Real time it last went idle. */
  idleSince = 0;
  private readonly inFlight: Exchange[] = [];
  /** Once the receiver has answered on it, a close before the next answer is its keep-alive ending, not a refusal. */
  private answeredBefore = false;
  /** Whether it answered since it last went idle: ending then, with requests waiting, it took only part of a pipeline. */
  private answeredSinceIdle = false;

  constructor(target: URL, options: HttpPosterOptions, private readonly events: ConnectionEvents) {
    const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    this.socket = target.protocol === 'https:'
      ? tlsConnect({
        host, port: Number(target.port || 443), ALPNProtocols: ['http/1.1'],
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      })
      : netConnect({ host, port: Number(target.port || 80) });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Also fires while idle, when nothing is listening for it: it must not crash the process.
    this.socket.on('error', (error: Error) => this.end({ status: null, error: error.message }));
    this.socket.on('close', () => this.onClose());
  }

  /** Writes one request. Its timeout runs from when the answers before it are in. */
  send(message: string, timeoutMs: number): Promise<Outcome> {
    this.socket.ref();
    return new Promise((resolve) => {
      const exchange: Exchange = { reader: new ResponseReader(), timeoutMs, pipelined: this.inFlight.length > 0, received: false, answered: false, resolve };
      this.inFlight.push(exchange);
      if (!exchange.pipelined) this.startTimer(exchange);
      this.socket.write(message);
    });
  }

  private startTimer(exchange: Exchange): void {
    exchange.cancelTimer = realTimer(exchange.timeoutMs, () => this.end({ status: null, error: `No answer within ${exchange.timeoutMs / 1000} s` }, true));
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const exchange = this.inFlight[0];
      if (exchange === undefined) {
        this.socket.destroy(); // bytes that answer nothing we asked
        return;
      }
      exchange.received = true;
      try {
        offset = exchange.reader.feed(chunk, offset);
      } catch (error) {
        // The status line decides: a body gone wrong after it only ends the connection.
        const status = exchange.reader.status;
        this.end(status !== undefined ? statusResult(status) : { status: null, error: (error as Error).message });
        return;
      }
      const { status, phase, reusable } = exchange.reader;
      if (status !== undefined) answer(exchange, statusResult(status));
      if (phase !== 'done') return;
      this.inFlight.shift();
      exchange.cancelTimer?.();
      this.answeredBefore = true;
      this.answeredSinceIdle = true;
      if (!reusable || !this.socket.writable) {
        this.end({ status: null, error: 'Closed the connection without answering' });
        return;
      }
      const next = this.inFlight[0];
      if (next !== undefined) this.startTimer(next);
    }
    if (this.inFlight.length === 0) {
      this.answeredSinceIdle = false;
      this.socket.unref();
      this.events.idle(this);
    }
  }

  private onClose(): void {
    const head = this.inFlight[0];
    if (head !== undefined) {
      head.reader.closed();
      const status = head.reader.status;
      this.end(status !== undefined ? statusResult(status) : { status: null, error: 'Closed the connection without answering' });
    }
    this.events.gone(this);
  }

  /**
   * Ends the socket and every request on it.
   * - The first, the one the receiver was on, gets `result`, unless it is worth sending once more:
   *   the receiver closed a kept-alive connection before beginning on it, or it was written behind
   *   others and timed out (some servers drop whatever came behind the first request).
   * - The others were never begun on, so they are sent once more, unless the receiver never showed
   *   up on this connection at all (refused, reset or closed at once): then they share `result`.
   */
  private end(result: SendResult, timedOut = false): void {
    const [first, ...rest] = this.inFlight.splice(0);
    this.socket.destroy();
    if (first === undefined) return;
    // Part-way through requests written together: a receiver that reads one request at a time, or
    // closes after each answer.
    if ((first.received || this.answeredSinceIdle) && (rest.length > 0 || first.pipelined)) this.events.notPipelining();
    first.cancelTimer?.();
    const sendFirstAgain = timedOut ? first.pipelined : !first.received && this.answeredBefore;
    answer(first, sendFirstAgain ? new Unanswered(result) : result);
    const showedUp = first.received || timedOut || this.answeredBefore;
    const lost: SendResult = { status: null, error: result.status === null ? result.error : 'Closed the connection without answering' };
    for (const exchange of rest) {
      exchange.cancelTimer?.();
      answer(exchange, showedUp ? new Unanswered(lost) : result);
    }
  }
}

function answer(exchange: Exchange, outcome: Outcome): void {
  if (exchange.answered) return;
  exchange.answered = true;
  exchange.resolve(outcome);
}

/** Requests written on one connection before their answers are in. */
const MAX_PIPELINE = 32;
/** How long a receiver that showed it does not take pipelined requests gets them one at a time. */
const SERIAL_MS = 60_000;

/** A request waiting for a connection. */
interface Post {
  target: URL;
  message: string;
  timeoutMs: number;
  /** Sent once already, and left unanswered when that connection ended. */
  resent: boolean;
  resolve(result: SendResult): void;
}

/**
 * Posts webhook bodies over keep-alive HTTP/1.1 connections, the answer taken from the status
 * line. Posts to one origin made in the same turn of the event loop go out pipelined on one
 * connection, in one write, and their answers come back in one read: on loopback, the syscalls
 * and wake-ups per request cost more than everything else about a webhook. A webhook is a small
 * POST whose answer body nobody reads, and Node's http client spends several times the CPU of the
 * rest of the event on each one.
 */
export class HttpPoster {
  private readonly idle = new Map<string, Connection[]>();
  private readonly targets = new Map<string, URL>();
  /** Posts made in this turn, by origin, not yet on a connection. */
  private readonly gathering = new Map<string, Post[]>();
  /** Origins sent one request at a time until the given real time. */
  private readonly serialUntil = new Map<string, number>();

  private readonly clock: Clock;

  constructor(private readonly options: HttpPosterOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Sends `body`; any failure comes back as a result, never a throw. */
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
    const target = this.parse(url);
    if (target === undefined) return Promise.resolve({ status: null, error: 'Not a valid URL' });
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ status: null, error: 'Only http and https URLs are supported' });
    const message = requestText(target, body, headers);
    if (message === undefined) return Promise.resolve({ status: null, error: 'A header name or value holds a line break' });
    return new Promise((resolve) => {
      const origin = target.origin;
      let posts = this.gathering.get(origin);
      if (posts === undefined) {
        const gathered: Post[] = posts = [];
        this.gathering.set(origin, gathered);
        queueMicrotask(() => {
          this.gathering.delete(origin);
          this.dispatch(origin, gathered);
        });
      }
      posts.push({ target, message, timeoutMs, resent: false, resolve });
    });
  }

  private dispatch(origin: string, posts: Post[]): void {
    // One lane per MAX_PIPELINE posts, each on a connection of its own; a receiver that does not
    // take pipelining gets a single lane, one request at a time, in the order they were made.
    const pipelining = this.pipelining(origin);
    const laneSize = pipelining ? MAX_PIPELINE : posts.length;
    for (let start = 0; start < posts.length; start += laneSize) {
      const lane = posts.slice(start, start + laneSize);
      this.runLane(origin, lane.slice(), pipelining ? MAX_PIPELINE : 1).catch(failAll(lane));
    }
  }

  /** Sends `posts` in order, `depth` at a time on one connection, and once more any the receiver never began on. */
  private async runLane(origin: string, posts: Post[], depth: number): Promise<void> {
    while (posts.length > 0) {
      const round = posts.splice(0, this.pipelining(origin) ? depth : 1);
      const connection = this.takeIdle(origin) ?? this.connect(origin, round[0]!.target);
      connection.socket.cork();
      const sent = round.map((post) => connection.send(post.message, post.timeoutMs).then((outcome) => {
        if (!(outcome instanceof Unanswered)) post.resolve(outcome);
        else if (post.resent) post.resolve(outcome.result);
        else {
          post.resent = true;
          return post;
        }
        return undefined;
      }));
      connection.socket.uncork();
      const again = (await Promise.all(sent)).filter((post) => post !== undefined);
      posts.unshift(...again);
    }
  }

  private pipelining(origin: string): boolean {
    const until = this.serialUntil.get(origin);
    if (until === undefined) return true;
    if (this.clock.now() < until) return false;
    this.serialUntil.delete(origin);
    return true;
  }

  private connect(origin: string, target: URL): Connection {
    return new Connection(target, this.options, {
      idle: (connection) => this.park(origin, connection),
      gone: (connection) => this.forget(origin, connection),
      notPipelining: () => {
        if (this.serialUntil.size >= MAX_REMEMBERED) this.serialUntil.clear();
        this.serialUntil.set(origin, this.clock.now() + SERIAL_MS);
      },
    });
  }

  /** A receiver gets many events: its URL is parsed once, not for each. */
  private parse(url: string): URL | undefined {
    let target = this.targets.get(url);
    if (target === undefined) {
      try {
        target = new URL(url);
      } catch {
        return undefined;
      }
      if (this.targets.size >= MAX_REMEMBERED) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  /** Closes the idle connections. */
  close(): void {
    for (const connections of this.idle.values()) for (const connection of connections) connection.socket.destroy();
    this.idle.clear();
  }

  /** The most recently parked connection, closing any idle long enough that the receiver may be closing it. */
  private takeIdle(origin: string): Connection | undefined {
    const connections = this.idle.get(origin);
    if (connections === undefined) return undefined;
    const now = this.clock.now();
    let taken: Connection | undefined;
    for (let connection = connections.pop(); connection !== undefined; connection = connections.pop()) {
      if (now - connection.idleSince < IDLE_MS) {
        taken = connection;
        break;
      }
      connection.socket.destroy();
    }
    if (connections.length === 0) this.idle.delete(origin);
    return taken;
  }

  private park(origin: string, connection: Connection): void {
    connection.idleSince = this.clock.now();
    const connections = this.idle.get(origin);
    if (connections === undefined) this.idle.set(origin, [connection]);
    else if (connections.length < MAX_IDLE_PER_ORIGIN) connections.push(connection);
    else connection.socket.destroy();
  }

  private forget(origin: string, connection: Connection): void {
    const connections = this.idle.get(origin);
    const index = connections?.indexOf(connection) ?? -1;
    if (index === -1) return;
    connections!.splice(index, 1);
    if (connections!.length === 0) this.idle.delete(origin);
  }
}

/** What every post of a lane gets should the lane itself throw: post() never rejects. */
function failAll(posts: Post[]): (error: unknown) => void {
  return (error) => {
    for (const post of posts) post.resolve({ status: null, error: `Not sent: ${(error as Error).message}` });
  };
}

function statusResult(status: number): SendResult {
  return { status, error: status >= 200 && status < 300 ? null : `Answered ${status}` };
}

const LINE_BREAK = /[\r\n]/;

/** The whole request as one string, so it goes out in one write; undefined if a header would break the head. */
function requestText(target: URL, body: string, headers: Record<string, string>): string | undefined {
  let head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) return undefined;
    head += `${name}: ${value}\r\n`;
  }
  if (target.username !== '' || target.password !== '') {
    head += `Authorization: Basic ${Buffer.from(`${percentDecoded(target.username)}:${percentDecoded(target.password)}`).toString('base64')}\r\n`;
  }
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

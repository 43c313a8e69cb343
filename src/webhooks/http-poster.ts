import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { realTimer, systemClock, type Clock } from '../clock.ts';

export interface SendResult {
  status: number | null;
  error: string | null;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4 * 1024;
const MAX_PARSED_URLS = 1_000;
/** Idle connections kept per receiver origin; a burst beyond it closes the rest once done. */
const MAX_IDLE_PER_ORIGIN = 16;
/** An idle keep-alive socket is not reused after this long: Node's servers close theirs after 5 s, and a request must not race that. */
const IDLE_MS = 4_000;

class MalformedResponse extends Error {}

const NOT_HTTP = 'Answered with something other than HTTP/1.x';

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

  /** Takes the next bytes; throws MalformedResponse on what is not HTTP/1.x. */
  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.phase !== 'done') {
      switch (this.phase) {
        case 'head': {
          const text = this.pending + chunk.toString('latin1', offset);
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
    // Bytes after the response belong to no request of ours.
    if (offset < chunk.length) this.reusable = false;
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
  /** Real time, which idle connections age by. Default: the system clock. */
  clock?: Clock;
}

/** A reused socket that the receiver had closed before the request reached it. */
const STALE = Symbol('stale');

type Outcome = SendResult | typeof STALE;

/** One request under way on a connection. */
interface Exchange {
  reader: ResponseReader;
  reused: boolean;
  received: boolean;
  answered: boolean;
  resolve(outcome: Outcome): void;
  cancelTimer(): void;
}

/**
 * A keep-alive socket to one origin. Its listeners are set once and act on the exchange under
 * way: adding and removing stream listeners for every request costs more than the request.
 */
class Connection {
  exchange: Exchange | undefined;
  readonly socket: Socket;
  /** Real time it last went idle. */
  idleSince = 0;

  constructor(
    target: URL,
    options: HttpPosterOptions,
    private readonly onIdle: (connection: Connection) => void,
    private readonly onGone: (connection: Connection) => void,
  ) {
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
    this.socket.on('error', (error: Error) => this.end(this.exchange?.reused && !this.exchange.received ? STALE : { status: null, error: error.message }));
    this.socket.on('close', () => this.onClose());
  }

  send(message: string, timeoutMs: number, reused: boolean): Promise<Outcome> {
    this.socket.ref();
    return new Promise((resolve) => {
      this.exchange = {
        reader: new ResponseReader(), reused, received: false, answered: false, resolve,
        cancelTimer: realTimer(timeoutMs, () => this.end({ status: null, error: `No answer within ${timeoutMs / 1000} s` })),
      };
      this.socket.write(message);
    });
  }

  private onData(chunk: Buffer): void {
    const exchange = this.exchange;
    if (exchange === undefined) {
      this.socket.destroy(); // nothing was asked
      return;
    }
    exchange.received = true;
    try {
      exchange.reader.feed(chunk);
    } catch (error) {
      this.end({ status: exchange.reader.status ?? null, error: (error as Error).message });
      return;
    }
    const { status, phase, reusable } = exchange.reader;
    if (status !== undefined) answer(exchange, statusResult(status));
    if (phase !== 'done') return;
    exchange.cancelTimer();
    this.exchange = undefined;
    if (reusable && this.socket.writable) {
      this.socket.unref();
      this.onIdle(this);
    } else {
      this.socket.destroy();
    }
  }

  private onClose(): void {
    const exchange = this.exchange;
    if (exchange !== undefined) {
      exchange.reader.closed();
      const status = exchange.reader.status;
      this.end(status !== undefined ? statusResult(status) : exchange.reused && !exchange.received ? STALE : { status: null, error: 'Closed the connection without answering' });
    }
    this.onGone(this);
  }

  /** Ends the exchange under way, if any, with `outcome` (unless it was answered already), and the socket with it. */
  private end(outcome: Outcome): void {
    const exchange = this.exchange;
    if (exchange !== undefined) {
      this.exchange = undefined;
      exchange.cancelTimer();
      answer(exchange, outcome);
    }
    this.socket.destroy();
  }
}

function answer(exchange: Exchange, outcome: Outcome): void {
  if (exchange.answered) return;
  exchange.answered = true;
  exchange.resolve(outcome);
}

/**
 * Posts webhook bodies over keep-alive HTTP/1.1 connections, one request at a time on each, the
 * answer taken from the status line. A webhook is a small POST whose answer body nobody reads,
 * and Node's http client spends several times the CPU of the rest of the event on each one.
 */
export class HttpPoster {
  private readonly idle = new Map<string, Connection[]>();
  private readonly targets = new Map<string, URL>();

  private readonly clock: Clock;

  constructor(private readonly options: HttpPosterOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Sends `body`; any failure comes back as a result, never a throw. */
  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
    const target = this.parse(url);
    if (target === undefined) return { status: null, error: 'Not a valid URL' };
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return { status: null, error: 'Only http and https URLs are supported' };
    const message = requestText(target, body, headers);
    if (message === undefined) return { status: null, error: 'A header name or value holds a line break' };
    const origin = target.origin;
    const idle = this.takeIdle(origin);
    if (idle !== undefined) {
      const outcome = await idle.send(message, timeoutMs, true);
      if (outcome !== STALE) return outcome;
    }
    const fresh = new Connection(target, this.options, (connection) => this.park(origin, connection), (connection) => this.forget(origin, connection));
    return await fresh.send(message, timeoutMs, false) as SendResult;
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
      if (this.targets.size >= MAX_PARSED_URLS) this.targets.clear();
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

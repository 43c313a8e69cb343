import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { describeFetchError } from '../kit/client.ts';
import { conformanceDepartures } from '../kit/conformance.ts';
import type { Exchange } from '../kit/exchange.ts';
import { printable } from '../kit/printable.ts';
import { API_KEY_HEADER, RECORDED_REQUEST_HEADERS, RECORDED_RESPONSE_HEADERS, Redactor } from './redact.ts';
import { DEFAULT_RECORD_HOST, DEFAULT_RECORD_PORT, DEFAULT_TRANSCRIPT_FILE, RECORD_OPTIONS, type RecordSettings } from './record-options.ts';
import { TRANSCRIPT_VERSION, type RecordedExchange, type RecordedRequest, type RecordedResponse, type TranscriptHeader } from './transcript.ts';

/**
 * `nimbus-sandbox record`: a proxy in front of a Nimbus sandbox that writes what passes through
 * it as a transcript (transcript.ts), one line per finished exchange, so a crash loses at most
 * the exchanges in flight.
 */

/**
 * The published body cap is 1 MiB; a little over it still goes through, so the upstream's own
 * 413 can be recorded. Past this the recorder answers 413 itself and forwards nothing.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024 + 64 * 1024;
/** Answers are passed on whole; the transcript keeps this much of each body and marks the rest as cut. */
export const MAX_RECORDED_BODY_BYTES = 1024 * 1024;
/** How long the upstream may take to start, or pause within, an answer. */
const UPSTREAM_TIMEOUT_MS = 60_000;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Set again by the recorder's own connection; accept-encoding is dropped so the transcript holds bodies, not compressed bytes. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'expect', 'accept-encoding']);

export interface RecorderOutput {
  log(line: string): void;
}

export interface RecorderOptions extends RecordSettings {
  output?: RecorderOutput;
  /** The tool and version the header names, such as `nimbus-sandbox 0.1.0`. */
  recorder?: string;
}

export interface Recorder {
  /** Where clients send their requests, such as `http://127.0.0.1:4011`. */
  readonly url: string;
  /** The upstream as the transcript names it. */
  readonly upstream: string;
  readonly outFile: string;
  /** Exchanges written so far. */
  readonly recorded: number;
  /** Stops taking requests, finishes those in flight, closes the transcript; resolves with how many exchanges it holds. */
  stop(): Promise<number>;
}

type Pairs = Array<[string, string]>;

function headerPairs(headers: Record<string, string | string[] | undefined>): Pairs {
  return Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one])));
}

/** Headers minus hop-by-hop ones, and those the Connection header names. */
function withoutHopByHop(pairs: Pairs, dropped: ReadonlySet<string>): Pairs {
  const named = new Set(pairs.filter(([name]) => name.toLowerCase() === 'connection').flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())));
  return pairs.filter(([name]) => !dropped.has(name.toLowerCase()) && !named.has(name.toLowerCase()));
}

/** The request body, or 'too large' as soon as it passes the cap (without reading further). */
async function readBody(incoming: IncomingMessage): Promise<Buffer | 'too large'> {
  const declared = Number(incoming.headers['content-length']);
  if (declared > MAX_REQUEST_BODY_BYTES) return 'too large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) return 'too large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

class ClientGone extends Error {}

/** An alias (`key#1`) put where a key or secret was in a path or query, percent-encoded: a bare `#` there would start a fragment when replayed. */
const sendable = (pathOrQuery: string) => pathOrQuery.replaceAll('#', '%23');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function answerRecorderError(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' }).end(JSON.stringify({ recorder: 'nimbus-sandbox record', error: message }));
}

/** Resolves once the client has taken what was written, or gone; the listener that did not fire is removed, not left to pile up. */
function drainedOrClosed(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done).off('close', done);
      resolve();
    };
    outgoing.once('drain', done).once('close', done);
  });
}

/** The upstream took the request and closed the connection (before any answer, where the caller knows none began). */
function droppedWithoutAnswer(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'UND_ERR_SOCKET';
}

/** Starts the recorder; the transcript is created (or replaced) at once, with its header line. */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const { output, recorder: recorderName, ...settings } = options;
  RECORD_OPTIONS.validate(settings as Record<string, unknown>, [], 'startRecorder');
  if (settings.upstream === undefined) throw new RangeError('startRecorder needs upstream: the Nimbus sandbox to record');
  const upstream = settings.upstream.replace(/\/+$/, '');
  const outFile = settings.outFile ?? DEFAULT_TRANSCRIPT_FILE;
  const log = (line: string) => output?.log(line);
  const redactor = new Redactor();
  const agent = new Agent({ headersTimeout: UPSTREAM_TIMEOUT_MS, bodyTimeout: UPSTREAM_TIMEOUT_MS });
  const inFlight = new Set<Promise<void>>();
  let recorded = 0;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port ?? DEFAULT_RECORD_PORT, settings.host ?? DEFAULT_RECORD_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let file: number;
  try {
    file = openSync(outFile, 'w');
  } catch (error) {
    server.close();
    throw error;
  }
  const header: TranscriptHeader = {
    kind: 'transcript', version: TRANSCRIPT_VERSION, recordedAt: new Date().toISOString(), upstream, recorder: recorderName ?? 'nimbus-sandbox record',
  };
  writeSync(file, `${JSON.stringify(header)}\n`);

  const write = (exchange: Omit<RecordedExchange, 'position' | 'kind'>) => {
    const line: RecordedExchange = { kind: 'exchange', position: ++recorded, ...exchange };
    writeSync(file, `${JSON.stringify(line)}\n`);
    const { request: sent, response, failure, departures, durationMs } = line;
    const target = `${sent.path}${sent.query === '' ? '' : `?${sent.query}`}`;
    log(printable(`#${line.position} ${sent.method} ${target} → ${response === undefined ? `no answer: ${failure}` : response.status} (${durationMs} ms)`));
    if (departures.length > 0) log(printable(`#${line.position} departs from spec/openapi.yaml: ${departures.join('; ')}`));
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = new URL(incoming.url ?? '/', 'http://recorder.invalid');
    const path = target.pathname;
    const query = target.search.replace(/^\?/, '');
    const pairs = headerPairs(incoming.headers);
    const sentKey = incoming.headers[API_KEY_HEADER];
    const key = redactor.keyAlias(Array.isArray(sentKey) ? sentKey[0] : sentKey);
    const recordedRequest = (body?: Buffer): RecordedRequest => ({
      method: incoming.method ?? 'GET', path: sendable(redactor.redact(path)), query: sendable(redactor.redact(query)),
      headers: redactor.headers(pairs, RECORDED_REQUEST_HEADERS),
      ...(body === undefined || body.length === 0 ? {} : { body: redactor.redact(body.toString('utf8')) }),
    });

    const body = await readBody(incoming).catch(() => undefined);
    // The client went away while sending: nothing was asked of the upstream, so nothing is recorded.
    if (body === undefined) {
      outgoing.destroy();
      return;
    }
    if (body === 'too large') {
      const failure = `the request body is over the recorder's cap of ${MAX_REQUEST_BODY_BYTES} bytes; it was not forwarded`;
      answerRecorderError(outgoing, 413, failure);
      write({ key, startedAt, durationMs: elapsed(), request: recordedRequest(), failure, departures: [] });
      return;
    }
    const method = incoming.method ?? 'GET';
    let status: number;
    let answerPairs: Pairs;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let truncated = false;
    let answerBegun = false;
    try {
      const answer = await request(`${upstream}${path}${target.search}`, {
        method: method as 'GET', dispatcher: agent,
        headers: withoutHopByHop(pairs, NOT_FORWARDED).flat(),
        ...(body.length === 0 ? {} : { body }),
      });
      answerBegun = true;
      status = answer.statusCode;
      answerPairs = withoutHopByHop(headerPairs(answer.headers), HOP_BY_HOP);
      try {
        outgoing.writeHead(status, answerPairs.flat());
        for await (const chunk of answer.body as AsyncIterable<Buffer>) {
          if (outgoing.destroyed) throw new ClientGone();
          if (!outgoing.write(chunk)) await drainedOrClosed(outgoing);
          const room = MAX_RECORDED_BODY_BYTES - keptBytes;
          if (chunk.length > room) truncated = true;
          if (room > 0) kept.push(chunk.subarray(0, room));
          keptBytes += Math.min(room, chunk.length);
        }
        outgoing.end();
      } catch (error) {
        answer.body.destroy();
        outgoing.destroy();
        throw error;
      }
    } catch (error) {
      const dropped = !answerBegun && droppedWithoutAnswer(error);
      const failure = error instanceof ClientGone
        ? 'the client went away before the whole answer reached it'
        : dropped
          ? `the upstream ${upstream} closed the connection without an answer (as its \`drop\` fault does); so was the client's`
          : `the upstream ${upstream} could not be reached or broke off its answer (${describeFetchError(error)})`;
      // The client must meet what the upstream did: a closed connection, not the recorder's 502.
      if (dropped) outgoing.destroy();
      else answerRecorderError(outgoing, 502, failure);
      write({ key, startedAt, durationMs: elapsed(), request: recordedRequest(body), failure, departures: [] });
      return;
    }
    const text = Buffer.concat(kept).toString('utf8');
    const exchange: Exchange = {
      request: { method, path: `${path}${target.search}`, url: `${upstream}${path}${target.search}`, headers: {}, sendsConfiguredKey: false },
      status, headers: new Headers(answerPairs), text, json: parseJson(text),
    };
    // A cut body cannot be judged; its status and headers still can.
    const departures = conformanceDepartures(exchange).filter((departure) => !truncated || !departure.startsWith('the body '));
    const response: RecordedResponse = {
      status, headers: redactor.headers(answerPairs, RECORDED_RESPONSE_HEADERS),
      ...(text === '' ? {} : { body: redactor.redact(text) }),
      ...(truncated ? { truncated: true } : {}),
    };
    write({ key, startedAt, durationMs: elapsed(), request: recordedRequest(body), response, departures: departures.map((departure) => redactor.redact(departure)) });
  };

  server.on('request', (incoming, outgoing) => {
    const exchange = handle(incoming, outgoing).catch((error: unknown) => {
      log(`nimbus-sandbox record: ${error instanceof Error ? error.message : String(error)}`);
      answerRecorderError(outgoing, 500, 'the recorder failed on this request; see its output');
    }).finally(() => inFlight.delete(exchange));
    inFlight.add(exchange);
  });

  const { port } = server.address() as AddressInfo;
  const host = settings.host ?? DEFAULT_RECORD_HOST;
  let stopping: Promise<number> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    upstream,
    outFile,
    get recorded() {
      return recorded;
    },
    stop() {
      stopping ??= (async () => {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeIdleConnections();
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await closed;
        await agent.close();
        closeSync(file);
        return recorded;
      })();
      return stopping;
    },
  };
}

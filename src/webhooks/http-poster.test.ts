import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { HttpPoster, ResponseReader, type HttpPosterOptions } from './http-poster.ts';

// ---------------------------------------------------------------------------------------------
// ResponseReader helpers
// ---------------------------------------------------------------------------------------------

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A reader fed `pieces` in order, each as its own chunk. */
function readerFed(...pieces: Array<string | Buffer>): ResponseReader {
  const reader = new ResponseReader();
  for (const piece of pieces) reader.feed(typeof piece === 'string' ? bytes(piece) : piece);
  return reader;
}

function oneByteAtATime(text: string): Buffer[] {
  return [...bytes(text)].map((byte) => Buffer.from([byte]));
}

/** `data` cut at the given offsets (taken modulo its length, deduplicated). */
function splitAt(data: Buffer, cuts: readonly number[]): Buffer[] {
  if (data.length === 0) return [data];
  const offsets = [...new Set(cuts.map((cut) => cut % data.length))].filter((cut) => cut > 0).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, data.length]) {
    pieces.push(data.subarray(start, offset));
    start = offset;
  }
  return pieces;
}

/** `body` as a chunked body whose chunk sizes cycle through `sizes`. */
function chunked(body: Uint8Array, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0, index = 0; offset < body.length; index++) {
    const size = Math.min(sizes[index % sizes.length]!, body.length - offset);
    parts.push(bytes(`${size.toString(16)}\r\n`), Buffer.from(body.subarray(offset, offset + size)), bytes('\r\n'));
    offset += size;
  }
  parts.push(bytes('0\r\n\r\n'));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Loopback servers, all closed after each test
// ---------------------------------------------------------------------------------------------

const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A poster closed after the test, before the servers are. */
function newPoster(options?: HttpPosterOptions): HttpPoster {
  const poster = new HttpPoster(options);
  cleanups.push(() => poster.close());
  return poster;
}

interface Listening {
  port: number;
  /** Every accepted TCP socket, in order. */
  connections: Socket[];
}

/** Listens on 127.0.0.1 and tears the server and its sockets down after the test. */
async function listen(server: Server): Promise<Listening> {
  const connections: Socket[] = [];
  server.on('connection', (socket: Socket) => connections.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    await Promise.all(connections.filter((socket) => !socket.closed).map((socket) => {
      const closed = once(socket, 'close');
      socket.destroy();
      return closed;
    }));
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, connections };
}

interface HttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A node:http server recording each request in full, then answering it with `status` and `headers`. */
async function httpServer(status = 200, headers: Record<string, string> = {}): Promise<Listening & { url: string; requests: HttpRequest[] }> {
  const requests: HttpRequest[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status, headers).end('ok');
    });
  });
  const listening = await listen(server);
  return { ...listening, url: `http://127.0.0.1:${listening.port}`, requests };
}

interface RawRequest {
  head: string;
  body: string;
  /** Index of the TCP connection it came on. */
  connection: number;
  /** Index of the request on that connection. */
  index: number;
}

/**
 * A plain TCP server that parses requests itself (head, then a Content-Length body) and lets
 * `answer` write whatever bytes it likes back, or nothing.
 */
async function rawServer(answer: (socket: Socket, request: RawRequest) => void): Promise<Listening & { url: string; requests: RawRequest[] }> {
  const requests: RawRequest[] = [];
  let connectionCount = 0;
  const server = createNetServer((socket) => {
    const connection = connectionCount++;
    let index = 0;
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {}); // clients that hang up mid-answer are part of the tests
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = { head, body: buffered.toString('utf8', end + 4, end + 4 + length), connection, index: index++ };
        buffered = buffered.subarray(end + 4 + length);
        requests.push(request);
        answer(socket, request);
      }
    });
  });
  const listening = await listen(server);
  return { ...listening, url: `http://127.0.0.1:${listening.port}`, requests };
}

const OK_KEEP_ALIVE = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// ResponseReader
// ---------------------------------------------------------------------------------------------

describe('ResponseReader', () => {
  it('knows the status after the head and completes a Content-Length body only after its last byte', () => {
    const reader = readerFed('HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n');
    expect(reader.phase).toBe('length');
    expect(reader.status).toBe(201);
    reader.feed(bytes('abcd'));
    expect(reader.phase).toBe('length');
    reader.feed(bytes('e'));
    expect(reader.phase).toBe('done');
    expect(reader.reusable).toBe(true);
  });

  const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
    + '5;name=value\r\nhello\r\n'
    + 'B ; other="x;y"\r\n, the world\r\n'
    + '0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n';

  it('reads a chunked body with chunk extensions and trailers', () => {
    const reader = readerFed(CHUNKED);
    expect(reader.phase).toBe('done');
    expect(reader.status).toBe(200);
    expect(reader.reusable).toBe(true);
  });

  it('reads a chunked body split one byte at a time', () => {
    const pieces = oneByteAtATime(CHUNKED);
    const reader = readerFed(...pieces.slice(0, -1));
    expect(reader.phase).toBe('trailers');
    reader.feed(pieces.at(-1)!);
    expect(reader.phase).toBe('done');
    expect(reader.status).toBe(200);
    expect(reader.reusable).toBe(true);
  });

  it.each([204, 304])('is done right after the head of a %i without Content-Length', (status) => {
    const reader = readerFed(`HTTP/1.1 ${status} Whatever\r\nETag: "x"\r\n\r\n`);
    expect(reader.phase).toBe('done');
    expect(reader.status).toBe(status);
    expect(reader.reusable).toBe(true);
  });

  it('reads a body without framing until the connection closes, and does not reuse it', () => {
    const reader = readerFed('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome', ' more');
    expect(reader.phase).toBe('until-close');
    expect(reader.status).toBe(200);
    expect(reader.reusable).toBe(false);
    reader.closed();
    expect(reader.phase).toBe('done');
    expect(reader.reusable).toBe(false);
  });

  it('takes the status of the final answer after a 100 Continue', () => {
    const reader = readerFed('HTTP/1.1 100 Continue\r\n\r\n');
    expect(reader.phase).toBe('head');
    expect(reader.status).toBeUndefined();
    reader.feed(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    expect(reader.status).toBe(200);
    expect(reader.phase).toBe('done');
  });

  it('does not reuse a connection answered with Connection: close', () => {
    const reader = readerFed('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    expect(reader.phase).toBe('done');
    expect(reader.reusable).toBe(false);
  });

  it('does not reuse an HTTP/1.0 connection without keep-alive', () => {
    const reader = readerFed('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(reader.phase).toBe('done');
    expect(reader.reusable).toBe(false);
  });

  it('reuses an HTTP/1.0 connection with Connection: keep-alive and a Content-Length', () => {
    const reader = readerFed('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\nabc');
    expect(reader.phase).toBe('done');
    expect(reader.reusable).toBe(true);
  });

  it('stops at the end of a response and returns where the next one begins', () => {
    const first = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const both = bytes(`${first}HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n`);
    const reader = new ResponseReader();
    expect(reader.feed(both)).toBe(first.length);
    expect(reader.status).toBe(200);
    const next = new ResponseReader();
    expect(next.feed(both, first.length)).toBe(both.length);
    expect(next.status).toBe(500);
    expect(next.phase).toBe('done');
  });

  it('throws on a status line that is not HTTP', () => {
    expect(() => readerFed('SSH-2.0-OpenSSH_9.6\r\n\r\n')).toThrow(/HTTP\/1\.x/);
  });

  it('throws on a banner line that is not HTTP before any blank line', () => {
    expect(() => readerFed('SSH-2.0-OpenSSH_9.6\r\n')).toThrow(/HTTP\/1\.x/);
  });

  it('throws on a head over 64 KiB that arrives in one piece', () => {
    expect(() => readerFed(`HTTP/1.1 200 OK\r\nX-Filler: ${'a'.repeat(100_000)}\r\nContent-Length: 0\r\n\r\n`)).toThrow(/64 KiB/);
  });

  it('throws on a head over 64 KiB with no blank line', () => {
    const reader = readerFed('HTTP/1.1 200 OK\r\n');
    const header = `X-Filler: ${'a'.repeat(1000)}\r\n`;
    expect(() => {
      for (let i = 0; i < 70; i++) reader.feed(bytes(header));
    }).toThrow(/64 KiB/);
  });

  it('throws on a chunk size that is not hex', () => {
    expect(() => readerFed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(Error);
  });

  it('throws on a chunk-size line over 4 KiB', () => {
    expect(() => readerFed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;', 'x'.repeat(5000))).toThrow(/4 KiB/);
  });

  it('throws on two different Content-Length values', () => {
    expect(() => readerFed('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n')).toThrow(/Content-Length/);
  });

  it('throws on a 101 Switching Protocols', () => {
    expect(() => readerFed('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')).toThrow(/101/);
  });

  it('reads any framed response, split anywhere, to its end with its status and keeps the connection', () => {
    const response = fc.record({
      status: fc.integer({ min: 200, max: 599 }).filter((status) => status !== 204 && status !== 304),
      body: fc.uint8Array({ maxLength: 2000 }),
      isChunked: fc.boolean(),
      chunkSizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
    });
    fc.assert(fc.property(response, ({ status, body, isChunked, chunkSizes, cuts }) => {
      const framing = isChunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`;
      const head = bytes(`HTTP/1.1 ${status} Reason\r\n${framing}\r\n\r\n`);
      const whole = Buffer.concat([head, isChunked ? chunked(body, chunkSizes) : Buffer.from(body)]);
      const reader = readerFed(...splitAt(whole, cuts));
      expect(reader.phase).toBe('done');
      expect(reader.status).toBe(status);
      expect(reader.reusable).toBe(true);
    }), { numRuns: 200 });
  });

  it('reads pipelined responses, split anywhere, each to its end with its own status', () => {
    const response = fc.record({
      status: fc.integer({ min: 200, max: 599 }),
      body: fc.uint8Array({ maxLength: 300 }),
      isChunked: fc.boolean(),
      chunkSizes: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
    });
    const pipeline = fc.record({ responses: fc.array(response, { minLength: 1, maxLength: 5 }), cuts: fc.array(fc.nat(), { maxLength: 30 }) });
    fc.assert(fc.property(pipeline, ({ responses, cuts }) => {
      const wire = Buffer.concat(responses.map(({ status, body, isChunked, chunkSizes }) => {
        if (status === 204 || status === 304) return bytes(`HTTP/1.1 ${status} Reason\r\n\r\n`);
        const framing = isChunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`;
        return Buffer.concat([bytes(`HTTP/1.1 ${status} Reason\r\n${framing}\r\n\r\n`), isChunked ? chunked(body, chunkSizes) : Buffer.from(body)]);
      }));
      const readers = [new ResponseReader()];
      for (const piece of splitAt(wire, cuts)) {
        for (let offset = 0; offset < piece.length;) {
          if (readers.at(-1)!.phase === 'done') readers.push(new ResponseReader());
          offset = readers.at(-1)!.feed(piece, offset);
        }
      }
      expect(readers.map((reader) => [reader.status, reader.phase, reader.reusable])).toEqual(responses.map(({ status }) => [status, 'done', true]));
    }), { numRuns: 200 });
  });
});

// ---------------------------------------------------------------------------------------------
// HttpPoster
// ---------------------------------------------------------------------------------------------

describe('HttpPoster', () => {
  it('posts the exact body, path, query, Host, headers and Content-Length, and returns the 200', async () => {
    const server = await httpServer();
    const body = '{"note":"é漢"}';
    const result = await newPoster().post(`${server.url}/hooks/in?tenant=a&x=1`, body, { 'X-Signature': 'abc123', 'Content-Type': 'application/json' }, 2000);
    expect(result).toEqual({ status: 200, error: null });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hooks/in?tenant=a&x=1');
    expect(request!.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(request!.headers['x-signature']).toBe('abc123');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(request!.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('reports a 500 answer as its status and an error', async () => {
    const server = await httpServer(500);
    expect(await newPoster().post(server.url, '{}', {}, 2000)).toEqual({ status: 500, error: 'Answered 500' });
  });

  it('reuses one connection for consecutive posts to the same origin', async () => {
    const server = await httpServer();
    const poster = newPoster();
    for (const body of ['a', 'b', 'c']) expect(await poster.post(`${server.url}/p`, body, {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.requests.map((request) => request.body.toString())).toEqual(['a', 'b', 'c']);
    expect(server.connections).toHaveLength(1);
  });

  it('opens a new connection rather than reuse one idle for 4 s', async () => {
    const server = await httpServer();
    const clock = new ManualClock(0);
    const poster = newPoster({ clock });
    await poster.post(`${server.url}/p`, 'a', {}, 2000);
    clock.advance(3_999);
    await poster.post(`${server.url}/p`, 'b', {}, 2000);
    clock.advance(4_000);
    await poster.post(`${server.url}/p`, 'c', {}, 2000);
    expect(server.connections).toHaveLength(2);
  });

  it('keeps at most 16 idle connections to an origin after posts made apart', async () => {
    // Each post is held until all 20 are in, so none finds an idle connection to reuse.
    const waiting: Socket[] = [];
    const server = await rawServer((socket) => {
      waiting.push(socket);
      if (waiting.length === 20) for (const held of waiting.splice(0)) held.write(OK_KEEP_ALIVE);
    });
    const poster = newPoster();
    const apart = async () => {
      const posts: Array<Promise<unknown>> = [];
      for (let i = 0; i < 20; i++) {
        posts.push(poster.post(`${server.url}/p`, String(i), {}, 2000));
        await new Promise(setImmediate);
      }
      await Promise.all(posts);
    };
    await apart();
    await apart();
    expect(server.connections).toHaveLength(24);
  });

  it('opens a new connection after an answer with Connection: close', async () => {
    const server = await httpServer(200, { Connection: 'close' });
    const poster = newPoster();
    expect(await poster.post(server.url, 'a', {}, 2000)).toEqual({ status: 200, error: null });
    expect(await poster.post(server.url, 'b', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.connections).toHaveLength(2);
  });

  it('posts again on a fresh connection after the server closed the idle keep-alive one', async () => {
    // Keep-alive framing, then a hang-up: what a server whose keep-alive timeout just ran out does.
    const server = await rawServer((socket) => socket.end(OK_KEEP_ALIVE));
    const poster = newPoster();
    expect(await poster.post(server.url, 'first', {}, 2000)).toEqual({ status: 200, error: null });
    const first = server.connections[0]!;
    if (!first.destroyed) await once(first, 'close');
    expect(await poster.post(server.url, 'second', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.requests.map((request) => request.body)).toEqual(['first', 'second']);
    expect(server.connections).toHaveLength(2);
  });

  it('retries once on a fresh connection when a reused connection closes before any answer byte', async () => {
    // The server drops the reused connection on the second request: the race where it closed the
    // idle connection just as the request was sent.
    const server = await rawServer((socket, request) => {
      if (request.index === 0) socket.write(OK_KEEP_ALIVE);
      else socket.destroy();
    });
    const poster = newPoster();
    expect(await poster.post(server.url, 'first', {}, 2000)).toEqual({ status: 200, error: null });
    expect(await poster.post(server.url, 'second', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.connections).toHaveLength(2);
    expect(server.requests.map(({ body, connection }) => [body, connection])).toEqual([['first', 0], ['second', 0], ['second', 1]]);
  });

  it('does not retry a fresh connection closed without an answer', async () => {
    const server = await rawServer((socket) => socket.destroy());
    const result = await newPoster().post(server.url, 'x', {}, 2000);
    expect(result).toEqual({ status: null, error: 'Closed the connection without answering' });
    expect(server.connections).toHaveLength(1);
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const server = await rawServer(() => {});
    const started = performance.now();
    const result = await newPoster().post(server.url, 'x', {}, 100);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/No answer within 0\.1 s/);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('reports a refused connection with the socket error', async () => {
    const server = createNetServer();
    const { port } = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const result = await newPoster().post(`http://127.0.0.1:${port}/`, 'x', {}, 2000);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('reports an answer that is not HTTP', async () => {
    const server = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n'));
    const result = await newPoster().post(server.url, 'x', {}, 2000);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/HTTP\/1\.x/);
  });

  it('resolves with the status as soon as the head arrives, while the body stays open past the timeout', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nthe start'));
    // Had the poster waited for the whole body, the timeout would have answered first, with an error.
    expect(await newPoster().post(server.url, 'x', {}, 150)).toEqual({ status: 200, error: null });
  });

  it('refuses a header value with a line break and sends nothing', async () => {
    const server = await rawServer((socket) => socket.write(OK_KEEP_ALIVE));
    const poster = newPoster();
    const result = await poster.post(server.url, 'smuggled', { 'X-Evil': 'a\r\nX-Injected: 1' }, 2000);
    expect(result).toEqual({ status: null, error: 'A header name or value holds a line break' });
    // A later post is answered, so anything the first had sent would have arrived before it.
    expect(await poster.post(server.url, 'clean', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.requests.map((request) => request.body)).toEqual(['clean']);
    expect(server.requests[0]!.head).not.toMatch(/X-Injected/);
  });

  it('refuses a URL that is not http or https', async () => {
    expect(await newPoster().post('ftp://x', 'x', {}, 2000)).toEqual({ status: null, error: 'Only http and https URLs are supported' });
  });

  it('refuses a string that is not a URL', async () => {
    expect(await newPoster().post('not a url', 'x', {}, 2000)).toEqual({ status: null, error: 'Not a valid URL' });
  });

  it('sends the user and percent-decoded password of the URL as Basic authorization', async () => {
    const server = await httpServer();
    const result = await newPoster().post(`http://user:pa%20ss@127.0.0.1:${server.port}/`, 'x', {}, 2000);
    expect(result).toEqual({ status: 200, error: null });
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:pa ss').toString('base64')}`);
  });

  it('does not keep the process alive with an idle keep-alive connection', async () => {
    const server = await rawServer((socket) => socket.write(OK_KEEP_ALIVE));
    expect(await newPoster().post(server.url, 'x', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.connections[0]!.destroyed).toBe(false);
    // The server's end lives in this process too. Sockets of earlier tests have finished closing
    // during the post's round trips, so the poster's end is the only socket that could be left.
    for (const socket of server.connections) socket.unref();
    expect(process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap')).toEqual([]);
  });

  it('opens a fresh connection for a post after close()', async () => {
    const server = await httpServer();
    const poster = newPoster();
    expect(await poster.post(server.url, 'a', {}, 2000)).toEqual({ status: 200, error: null });
    poster.close();
    expect(await poster.post(server.url, 'b', {}, 2000)).toEqual({ status: 200, error: null });
    expect(server.requests.map((request) => request.body.toString())).toEqual(['a', 'b']);
    expect(server.connections).toHaveLength(2);
  });

  describe('over https', () => {
    const openssl = hasOpenssl();
    let dir = '';
    let key = '';
    let cert = '';

    beforeAll(() => {
      if (!openssl) return;
      dir = mkdtempSync(join(tmpdir(), 'http-poster-'));
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    async function httpsServer(): Promise<number> {
      const server = createHttpsServer({ key, cert }, (req, res) => {
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      return (await listen(server)).port;
    }

    it.skipIf(!openssl)('posts to a receiver whose certificate the given ca trusts', async () => {
      const port = await httpsServer();
      expect(await newPoster({ ca: cert }).post(`https://localhost:${port}/`, 'x', {}, 5000)).toEqual({ status: 200, error: null });
    });

    it.skipIf(!openssl)('refuses a self-signed certificate by default', async () => {
      const port = await httpsServer();
      const result = await newPoster().post(`https://localhost:${port}/`, 'x', {}, 5000);
      expect(result.status).toBeNull();
      expect(result.error).toMatch(/self[- ]signed/i);
    });
  });
});

describe('HttpPoster pipelining', () => {
  const OK = { status: 200, error: null };
  const CLOSE_AFTER = 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  const bodiesAndConnections = (requests: RawRequest[]) => requests.map(({ body, connection }) => [body, connection]);

  it('writes posts made together on one connection, in order, before any answer', async () => {
    // Answers only once the third request is in: posts sent one at a time would never be answered.
    const server = await rawServer((socket, request) => {
      if (request.index === 2) socket.write(OK_KEEP_ALIVE.repeat(3));
    });
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(`${server.url}/p`, body, {}, 2000)));
    expect(results).toEqual([OK, OK, OK]);
    expect(bodiesAndConnections(server.requests)).toEqual([['a', 0], ['b', 0], ['c', 0]]);
  });

  it('gives each pipelined post the status of its own answer', async () => {
    const statuses = [201, 500, 204];
    const server = await rawServer((socket, request) => {
      socket.write(`HTTP/1.1 ${statuses[request.index]} Whatever\r\nContent-Length: 0\r\n\r\n`);
    });
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 2000)));
    expect(results.map((result) => result.status)).toEqual(statuses);
  });

  /**
   * Leaves its first connection to `onFirstConnection`; answers every request on later connections
   * on the next turn, noting how many were still unanswered on that connection when it arrived
   * (more than zero only when pipelined).
   */
  async function pipelineServer(onFirstConnection: (socket: Socket, request: RawRequest) => void) {
    const unansweredOnArrival: number[] = [];
    const unanswered = new Map<Socket, number>();
    const server = await rawServer((socket, request) => {
      if (request.connection === 0) {
        onFirstConnection(socket, request);
        return;
      }
      const waiting = unanswered.get(socket) ?? 0;
      unansweredOnArrival.push(waiting);
      unanswered.set(socket, waiting + 1);
      setImmediate(() => {
        unanswered.set(socket, unanswered.get(socket)! - 1);
        socket.write(OK_KEEP_ALIVE);
      });
    });
    return { ...server, unansweredOnArrival };
  }

  /** Closes its first connection after answering the first request on it. */
  const closesFirstConnection = () => pipelineServer((socket, request) => {
    if (request.index === 0) socket.end(CLOSE_AFTER);
  });

  it('sends again, on a fresh connection, the posts left unanswered when the receiver closes after an answer', async () => {
    const server = await closesFirstConnection();
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 2000)));
    expect(results).toEqual([OK, OK, OK]);
    expect(bodiesAndConnections(server.requests)).toEqual([['a', 0], ['b', 0], ['c', 0], ['b', 1], ['c', 1]]);
  });

  it('sends one request at a time, for 60 s, to an origin that closed with pipelined requests waiting', async () => {
    const clock = new ManualClock(0);
    const server = await closesFirstConnection();
    const poster = newPoster({ clock });
    const together = (...bodies: string[]) => Promise.all(bodies.map((body) => poster.post(server.url, body, {}, 2000)));
    await together('a', 'b');
    await together('c', 'd');
    clock.advance(59_999);
    await together('e', 'f');
    clock.advance(1);
    await together('g', 'h');
    // Connection 1 carries b (sent again), c, d, e and f one at a time, then g and h pipelined.
    expect(server.requests.slice(2).map((request) => request.body)).toEqual(['b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(server.unansweredOnArrival).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });

  it('sends a pipelined post again on a fresh connection when it gets no answer behind an answered one', async () => {
    // Answers the first request on each connection and ignores the rest, as a server that reads
    // one request and drops whatever came with it.
    const server = await rawServer((socket, request) => {
      if (request.index === 0) socket.write(OK_KEEP_ALIVE);
    });
    const poster = newPoster();
    const results = await Promise.all(['a', 'b'].map((body) => poster.post(server.url, body, {}, 300)));
    expect(results).toEqual([OK, OK]);
    expect(bodiesAndConnections(server.requests)).toEqual([['a', 0], ['b', 0], ['b', 1]]);
  });

  it('gives up on posts left unanswered a second time', async () => {
    // The first connection answers once, then drops the next requests unanswered, as a server
    // whose keep-alive ran out; the second answers once and closes, with no Connection: close.
    const server = await rawServer((socket, request) => {
      if (request.connection === 0) {
        if (request.index === 0) socket.write(OK_KEEP_ALIVE);
        else socket.destroy();
      } else if (request.connection === 1) {
        if (request.index === 0) socket.end(OK_KEEP_ALIVE);
      } else {
        socket.write(OK_KEEP_ALIVE);
      }
    });
    const poster = newPoster();
    expect(await poster.post(server.url, 'x', {}, 2000)).toEqual(OK);
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 2000)));
    expect(results).toEqual([OK, ...Array(2).fill({ status: null, error: 'Closed the connection without answering' })]);
    expect(bodiesAndConnections(server.requests)).toEqual([['x', 0], ['a', 0], ['b', 0], ['c', 0], ['a', 1], ['b', 1], ['c', 1]]);
  });

  it('keeps pipelining after a reused idle connection turns out closed', async () => {
    // The first connection answers once, then drops, as a server whose keep-alive ran out.
    const server = await pipelineServer((socket, request) => {
      if (request.index === 0) socket.write(OK_KEEP_ALIVE);
      else socket.destroy();
    });
    const poster = newPoster();
    expect(await poster.post(server.url, 'x', {}, 2000)).toEqual(OK);
    expect(await Promise.all(['a', 'b'].map((body) => poster.post(server.url, body, {}, 2000)))).toEqual([OK, OK]);
    expect(bodiesAndConnections(server.requests).slice(-2)).toEqual([['a', 1], ['b', 1]]);
    expect(server.unansweredOnArrival).toEqual([0, 1]);
  });

  it('gives every post of a pipeline the error of a refused connection', async () => {
    const server = createNetServer();
    const { port } = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(`http://127.0.0.1:${port}/`, body, {}, 2000)));
    for (const result of results) expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('sends the posts behind one that times out once more, and gives up when they go unanswered again', async () => {
    const server = await rawServer(() => {});
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 100)));
    expect(results).toEqual(Array(3).fill({ status: null, error: 'No answer within 0.1 s' }));
    expect(bodiesAndConnections(server.requests)).toEqual([['a', 0], ['b', 0], ['c', 0], ['b', 1], ['c', 1]]);
  });

  it('delivers the posts behind one the receiver never answers', async () => {
    const server = await pipelineServer(() => {}); // the first connection never answers
    const poster = newPoster();
    const results = await Promise.all(['slow', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 100)));
    expect(results).toEqual([{ status: null, error: 'No answer within 0.1 s' }, OK, OK]);
    expect(bodiesAndConnections(server.requests).slice(3)).toEqual([['b', 1], ['c', 1]]);
  });

  it('does not send again a post that times out first in line on a reused connection', async () => {
    const server = await rawServer((socket, request) => {
      if (request.index === 0) socket.write(OK_KEEP_ALIVE);
    });
    const poster = newPoster();
    expect(await poster.post(server.url, 'first', {}, 2000)).toEqual(OK);
    expect(await poster.post(server.url, 'slow', {}, 100)).toEqual({ status: null, error: 'No answer within 0.1 s' });
    expect(bodiesAndConnections(server.requests)).toEqual([['first', 0], ['slow', 0]]);
  });

  it.each([
    ['runs until the connection closes', 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthanks'],
    ['is cut short by a close', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'],
    ['has a malformed chunked body', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('sends again, one at a time, the posts behind an answer that %s', async (_, answer) => {
    const server = await pipelineServer((socket, request) => {
      if (request.index === 0) socket.end(answer);
    });
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 2000)));
    expect(results).toEqual([OK, OK, OK]);
    expect(bodiesAndConnections(server.requests).slice(3)).toEqual([['b', 1], ['c', 1]]);
    expect(server.unansweredOnArrival).toEqual([0, 0]);
  });

  it('times a pipelined post from when the answers before it are in', async () => {
    // Each answer comes 250 ms after the one before: the third arrives 750 ms after it was sent.
    let answered = Promise.resolve();
    const server = await rawServer((socket) => {
      answered = answered.then(() => new Promise((resolve) => setTimeout(() => {
        socket.write(OK_KEEP_ALIVE);
        resolve();
      }, 250)));
    });
    const poster = newPoster();
    const results = await Promise.all(['a', 'b', 'c'].map((body) => poster.post(server.url, body, {}, 500)));
    expect(results).toEqual([OK, OK, OK]);
  });

  it('closes a connection that sends bytes after the answer, and opens another for the next post', async () => {
    const server = await rawServer((socket) => socket.write(`${OK_KEEP_ALIVE}HTTP/1.1 200 OK\r\n`));
    const poster = newPoster();
    expect(await poster.post(server.url, 'a', {}, 2000)).toEqual(OK);
    const first = server.connections[0]!;
    if (!first.destroyed) await once(first, 'close');
    expect(await poster.post(server.url, 'b', {}, 2000)).toEqual(OK);
    expect(bodiesAndConnections(server.requests)).toEqual([['a', 0], ['b', 1]]);
  });

  it('puts at most 32 posts on one connection', async () => {
    const server = await rawServer((socket) => socket.write(OK_KEEP_ALIVE));
    const poster = newPoster();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => poster.post(server.url, String(i), {}, 2000)));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(server.connections).toHaveLength(2);
    expect(server.requests.filter((request) => request.connection === 0)).toHaveLength(32);
  });
});

import { createServer, type IncomingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import type { Resolve } from './destination-policy.ts';
import { CONNECTIONS_PER_ORIGIN, MAX_BODY_BYTES, MAX_ORIGINS, PIPELINING, UndiciSender } from './undici-sender.ts';

/** A resolver that answers every name with these addresses. */
const resolvesTo = (...addresses: string[]): Resolve => (_name, _options, callback) =>
  callback(null, addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  origin: string;
  seen: Seen[];
  /** Connections the server accepted. */
  connections: number;
  /** Connections that have closed. */
  closed: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A loopback server that records each request in full, then hands it to `answer`. */
async function startReceiver(answer: RequestListener = (_req, res) => res.end('ok')): Promise<Receiver> {
  const receiver: Receiver = {
    origin: '',
    seen: [],
    connections: 0,
    closed: 0,
    sockets: new Set(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    receiver.sockets.add(socket);
    socket.on('close', () => {
      receiver.closed++;
      receiver.sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(receiver.close);
  return receiver;
}

function newSender(): UndiciSender {
  const sender = new UndiciSender();
  cleanups.push(() => sender.close());
  return sender;
}

async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const HEADERS = { 'Content-Type': 'application/json', 'X-Webhook-Signature': 't=1,v1=abc' };

describe('UndiciSender', () => {
  it('keeps connections open to at most MAX_ORIGINS origins, closing the one unused for longest', async () => {
    const open = new Set<Socket>();
    const server = createServer((_req, res) => res.writeHead(204).end());
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const { port } = server.address() as AddressInfo;
    cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const sender = newSender();
    // Each loopback address is an origin of its own.
    for (let host = 1; host <= MAX_ORIGINS + 6; host++) {
      expect(await sender.send(`http://127.0.0.${host}:${port}/hooks`, '{}', HEADERS, 2_000)).toEqual({ status: 204, error: null });
    }
    await until(() => open.size <= MAX_ORIGINS);
    expect(open.size).toBe(MAX_ORIGINS);
  });

  it('posts the body and headers, and a 2xx answer is a success', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(202).end('accepted'));
    const result = await newSender().send(`${receiver.origin}/hooks/nimbus?from=sandbox`, '{"id":"evt_1"}', HEADERS, 1_000);
    expect(result).toEqual({ status: 202, error: null });
    expect(receiver.seen).toHaveLength(1);
    expect(receiver.seen[0]).toMatchObject({
      method: 'POST',
      url: '/hooks/nimbus?from=sandbox',
      body: '{"id":"evt_1"}',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': 't=1,v1=abc', 'content-length': '14' },
    });
  });

  it('sends nothing to a URL with credentials, and says policy refused it', async () => {
    const receiver = await startReceiver();
    const { origin } = receiver;
    for (const url of [origin.replace('//', '//hook%20user:s3cret@'), origin.replace('//', '//hook@')]) {
      expect(await newSender().send(url, '{}', HEADERS, 1_000)).toEqual({ status: null, error: 'Refused by policy' });
    }
    expect(receiver.connections).toBe(0);
  });

  it('sends nothing to a link-local address, given as a literal in any form or as a name that resolves to one', async () => {
    const sender = new UndiciSender({ resolve: resolvesTo('169.254.169.254') });
    cleanups.push(() => sender.close());
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://0xA9FEA9FE/', 'http://[::ffff:169.254.169.254]/', 'http://[fe80::1]/', 'http://metadata.test/']) {
      expect(await sender.send(url, '{}', HEADERS, 1_000), url).toEqual({ status: null, error: 'Refused by policy' });
    }
  });

  describe('with denyPrivate', () => {
    function denyingSender(resolve?: Resolve): UndiciSender {
      const sender = new UndiciSender({ denyPrivate: true, ...(resolve === undefined ? {} : { resolve }) });
      cleanups.push(() => sender.close());
      return sender;
    }

    it('sends nothing to loopback, localhost or a private literal', async () => {
      const receiver = await startReceiver();
      const port = new URL(receiver.origin).port;
      for (const url of [`http://127.0.0.1:${port}/h`, `http://localhost:${port}/h`, `http://[::1]:${port}/h`, 'http://10.0.0.5:6379/', 'http://192.168.1.1/']) {
        expect(await denyingSender().send(url, '{}', HEADERS, 1_000), url).toEqual({ status: null, error: 'Refused by policy' });
      }
      expect(receiver.connections).toBe(0);
    });

    it('sends nothing to a name that resolves to loopback when connecting (DNS rebinding), though a listener is there', async () => {
      const receiver = await startReceiver();
      const url = `http://rebound.test:${new URL(receiver.origin).port}/hooks`;
      // The same name reaches the listener without the option: the refusal is the lookup's.
      const allowing = new UndiciSender({ resolve: resolvesTo('127.0.0.1') });
      cleanups.push(() => allowing.close());
      expect(await allowing.send(url, '{}', HEADERS, 1_000)).toEqual({ status: 200, error: null });
      expect(await denyingSender(resolvesTo('127.0.0.1')).send(url, '{}', HEADERS, 1_000)).toEqual({ status: null, error: 'Refused by policy' });
      expect(await denyingSender(resolvesTo('203.0.113.9', '127.0.0.1')).send(url, '{}', HEADERS, 1_000)).toEqual({ status: null, error: 'Refused by policy' });
      expect(receiver.seen).toHaveLength(1);
    });

    it('says only that it could not connect, not what failed where', async () => {
      const notFound: Resolve = (name, _options, callback) => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), []);
      expect(await denyingSender(notFound).send('http://internal-db.test:6379/', '{}', HEADERS, 1_000)).toEqual({ status: null, error: 'Could not connect' });
      // Without the option the reason stays helpful.
      const helpful = new UndiciSender({ resolve: notFound });
      cleanups.push(() => helpful.close());
      expect((await helpful.send('http://internal-db.test:6379/', '{}', HEADERS, 1_000)).error).toBe('Could not resolve the host (getaddrinfo ENOTFOUND internal-db.test)');
    });
  });

  it('reports a non-2xx answer with its status', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(503).end('busy'));
    const sender = newSender();
    expect(await sender.send(`${receiver.origin}/hooks`, '{}', HEADERS, 1_000)).toEqual({ status: 503, error: 'Answered 503' });
    // The connection stays usable after a failure status.
    expect(await sender.send(`${receiver.origin}/hooks`, '{}', HEADERS, 1_000)).toEqual({ status: 503, error: 'Answered 503' });
    expect(receiver.connections).toBe(1);
  });

  it('reports a refused connection without a status', async () => {
    const receiver = await startReceiver();
    const url = `${receiver.origin}/hooks`;
    await receiver.close(); // nothing listens on the port any more
    const result = await newSender().send(url, '{}', HEADERS, 1_000);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/^Refused the connection \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
  });

  it('gives up on a receiver that never answers once the timeout is over', async () => {
    const receiver = await startReceiver(() => {});
    const started = Date.now();
    const result = await newSender().send(`${receiver.origin}/hooks`, '{}', HEADERS, 200);
    const took = Date.now() - started;
    expect(result).toEqual({ status: null, error: 'No answer within 0.2 s' });
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1_500);
  });

  it('times out posts still waiting for a connection too, and leaves nothing behind', async () => {
    const receiver = await startReceiver(() => {});
    const sender = new UndiciSender();
    // More than the pool's connections carry at once: some never leave the queue.
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 2 * CONNECTIONS_PER_ORIGIN * PIPELINING }, () => sender.send(`${receiver.origin}/hooks`, '{}', HEADERS, 200)));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(new Set(results.map((result) => result.error))).toEqual(new Set(['No answer within 0.2 s']));
    // Nothing is left under way for close() to wait for.
    await sender.close();
    await until(() => receiver.sockets.size === 0);
  });

  it('counts the timeout over the body too: an answer whose body never ends is a failure', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial'); // and never more
    });
    const result = await newSender().send(`${receiver.origin}/hooks`, '{}', HEADERS, 200);
    expect(result).toEqual({ status: null, error: 'Answered 200 but did not finish its body within 0.2 s' });
  });

  describe('an answer with a body larger than anyone reads', () => {
    /** Writes up to `total` bytes as fast as the socket takes them, stopping when it closes. */
    function flood(total: number, framing: 'chunked' | 'length', written: { bytes: number; stopped: boolean }): RequestListener {
      return (_req, res) => {
        res.writeHead(200, framing === 'length' ? { 'Content-Length': String(total) } : {});
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const more = (): void => {
          while (!res.destroyed && written.bytes < total) {
            written.bytes += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', more);
              return;
            }
          }
        };
        res.on('close', () => (written.stopped = true));
        more();
      };
    }

    it.each(['chunked', 'length'] as const)('is its status, read no further than the limit (%s)', async (framing) => {
      const written = { bytes: 0, stopped: false };
      const total = 256 * 1024 * 1024;
      const receiver = await startReceiver(flood(total, framing, written));
      const started = Date.now();
      // Long enough that reading it all would fit; an unlimited read of 256 MiB would not.
      const result = await newSender().send(`${receiver.origin}/hooks`, '{}', HEADERS, 3_000);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(result).toEqual({ status: 200, error: null });
      // The sender closed the connection rather than read on; loopback buffers hold a few MiB at most.
      await until(() => written.stopped);
      expect(written.bytes).toBeLessThan(32 * 1024 * 1024);
      expect(MAX_BODY_BYTES).toBe(64 * 1024);
    });

    it('reads a body within the limit to its end and keeps the connection', async () => {
      const receiver = await startReceiver((_req, res) => res.end(Buffer.alloc(MAX_BODY_BYTES - 1024, 'y')));
      const sender = newSender();
      for (let i = 0; i < 3; i++) expect(await sender.send(`${receiver.origin}/hooks`, '{}', HEADERS, 1_000)).toEqual({ status: 200, error: null });
      expect(receiver.connections).toBe(1);
    });
  });

  it('writes events due together at once, pipelined on a few connections', async () => {
    // Answers nothing until all 32 are in: one request per connection at a time would never get there.
    const held: ServerResponse[] = [];
    const receiver = await startReceiver((_req, res) => {
      held.push(res);
      if (held.length === 32) for (const waiting of held.splice(0)) waiting.end('ok');
    });
    const sender = newSender();
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => sender.send(`${receiver.origin}/hooks`, `{"n":${i}}`, HEADERS, 2_000)));
    expect(results.filter((result) => result.status === 200 && result.error === null)).toHaveLength(32);
    expect(receiver.connections).toBeLessThanOrEqual(CONNECTIONS_PER_ORIGIN);
    expect(receiver.connections * PIPELINING).toBeGreaterThanOrEqual(32);
  });

  it('keeps its connections to a receiver for the next events', async () => {
    const receiver = await startReceiver();
    const sender = newSender();
    const url = `${receiver.origin}/hooks`;
    const opened: number[] = [];
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 32 }, (_, i) => sender.send(url, `{"n":${i}}`, HEADERS, 2_000)));
      expect(results.every((result) => result.status === 200 && result.error === null)).toBe(true);
      opened.push(receiver.connections);
    }
    expect(receiver.seen).toHaveLength(96);
    expect(opened[0]).toBeLessThanOrEqual(CONNECTIONS_PER_ORIGIN);
    expect(opened).toEqual([opened[0], opened[0], opened[0]]);
    expect(receiver.closed).toBe(0);
  });

  it('sends a receiver that answers Connection: close one request at a time', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(200, { Connection: 'close' }).end('ok'));
    const sender = newSender();
    const round = () => Promise.all(Array.from({ length: 32 }, (_, i) => sender.send(`${receiver.origin}/hooks`, `{"n":${i}}`, HEADERS, 2_000)));
    expect((await round()).filter((result) => result.status === 200)).toHaveLength(32);
    // Node's server reads pipelined requests even when it closes after the first answer: the
    // first round may reach it more than once, the later ones not.
    const before = receiver.seen.length;
    for (let i = 0; i < 2; i++) expect((await round()).filter((result) => result.status === 200)).toHaveLength(32);
    expect(receiver.seen.length - before).toBe(64);
  });

  it('gets every event through to a receiver that hangs up after one answer', async () => {
    // An HTTP/1.0 server that answers the first request on a connection and closes it, unread.
    const { createServer: createNetServer } = await import('node:net');
    let requests = 0;
    const server = createNetServer((socket) => socket.once('data', () => {
      requests++;
      // Closing with requests still unread resets the connection, as Python's http.server does.
      socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', () => socket.destroy());
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const sender = newSender();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 32 }, (_, i) => sender.send(url, `{"n":${i}}`, HEADERS, 2_000)));
      expect(results.filter((result) => result.status === 200)).toHaveLength(32);
    }
    expect(requests).toBeGreaterThanOrEqual(96);
  });

  it('closes its connections on close(), and sends nothing after', async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    const sender = new UndiciSender();
    await Promise.all([sender.send(`${receiver.origin}/a`, '{}', HEADERS, 1_000), sender.send(`${other.origin}/b`, '{}', HEADERS, 1_000)]);
    expect(receiver.sockets.size + other.sockets.size).toBe(2);
    await sender.close();
    await until(() => receiver.sockets.size === 0 && other.sockets.size === 0);
    expect(receiver.closed + other.closed).toBe(2);
    expect(await sender.send(`${receiver.origin}/a`, '{}', HEADERS, 1_000)).toEqual({ status: null, error: 'Not sent: the webhook sender is closed' });
    expect(receiver.connections).toBe(1);
  });

  it.each([
    ['not a url', 'Not a valid URL'],
    ['http://', 'Not a valid URL'],
    ['ftp://127.0.0.1/hooks', 'Only http and https URLs are supported'],
  ])('refuses the malformed URL %j', async (url, error) => {
    expect(await newSender().send(url, '{}', HEADERS, 1_000)).toEqual({ status: null, error });
  });

  it('reports a receiver that does not speak HTTP', async () => {
    const { createServer: createNetServer } = await import('node:net');
    // Reading what comes in, so it sees the sender hang up and the server can close.
    const server = createNetServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n').resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const result = await newSender().send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, '{}', HEADERS, 1_000);
    expect(result).toEqual({ status: null, error: 'Answered with something other than HTTP/1.x' });
  });

  it('reports a header that would break the request instead of throwing', async () => {
    const receiver = await startReceiver();
    const result = await newSender().send(`${receiver.origin}/hooks`, '{}', { 'X-Bad': 'a\r\nInjected: yes' }, 1_000);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/^Not sent: /);
    expect(receiver.seen).toHaveLength(0);
  });
});

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientErrors } from './client-errors.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server answering 200 to any request it can read (once its body is in), with its client errors enveloped. */
async function start(options: { headersTimeout?: number; requestTimeout?: number } = {}): Promise<number> {
  server = createServer({ connectionsCheckingInterval: 50, ...options }, (req, res) => {
    req.resume().on('end', () => res.end('{}'));
  });
  answerClientErrors(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface RawAnswer {
  statusLine: string;
  headers: Record<string, string>;
  body: unknown;
  /** Whether the server closed the connection. */
  closed: boolean;
}

/** Sends `bytes` (or nothing) on a raw connection and reads whatever comes back until the server closes it. */
async function raw(port: number, bytes?: string): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  if (bytes !== undefined) socket.write(bytes);
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
  ]);
  socket.destroy();
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  }));
  return { statusLine, headers, body: body === '' ? undefined : JSON.parse(body), closed };
}

function expectEnvelope(answer: RawAnswer, message: string | RegExp): void {
  expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
  expect(answer.headers).toMatchObject({ 'content-type': 'application/json', connection: 'close' });
  expect(answer.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{24}$/);
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(answer.body)));
  const { error } = answer.body as { error: { code: string; message: string; requestId: string } };
  expect(error.code).toBe('invalid_request');
  expect(error.message).toMatch(message);
  expect(error.requestId).toBe(answer.headers['x-request-id']);
  expect(answer.closed).toBe(true);
}

describe('the answers Node\'s HTTP server gives on its own', () => {
  it('still serves a well-formed request', async () => {
    const port = await start();
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.statusLine).toBe('HTTP/1.1 200 OK');
  });

  it('answers a request line that is not HTTP in the envelope', async () => {
    const port = await start();
    const answer = await raw(port, 'HELLO THERE\r\n\r\n');
    expectEnvelope(answer, 'The request is not valid HTTP/1.1');
    expect((answer.body as { error: { details?: { reason?: unknown } } }).error.details?.reason).toEqual(expect.any(String));
  });

  it('answers a malformed header in the envelope', async () => {
    const port = await start();
    expectEnvelope(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'), 'The request is not valid HTTP/1.1');
  });

  it('answers headers over the size limit in the envelope, naming the limit', async () => {
    const port = await start();
    const answer = await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectEnvelope(answer, 'The request\'s headers are too large: at most 16384 bytes in all');
  });

  it('answers a connection that sends nothing within the headers timeout in the envelope', async () => {
    const port = await start({ headersTimeout: 200, requestTimeout: 1000 });
    const started = Date.now();
    const answer = await raw(port);
    expectEnvelope(answer, 'The request was not received in time: its headers must arrive within 200 ms and the whole request within 1000 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers a request whose body does not arrive within the request timeout in the envelope', async () => {
    const port = await start({ headersTimeout: 200, requestTimeout: 400 });
    const answer = await raw(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    expectEnvelope(answer, /^The request was not received in time/);
  });
});

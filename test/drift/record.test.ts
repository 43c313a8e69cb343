import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { MAX_RECORDED_BODY_BYTES, MAX_REQUEST_BODY_BYTES, startRecorder, type Recorder } from '../../contract-tests/drift/record.ts';
import type { RecordedExchange, TranscriptHeader } from '../../contract-tests/drift/transcript.ts';
import { magicValues, operation, requestExample } from '../../contract-tests/kit/spec.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox.ts';
import { serveOnFreePort as serveFetch } from '../../src/contract-command.ts';

type Served = Awaited<ReturnType<typeof serveFetch>>;

const temp = mkdtempSync(join(tmpdir(), 'nimbus-record-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const KEY_A = 'sk_test_recorder_alpha_5f1c';
const KEY_B = 'sk_test_recorder_bravo_9e2d';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Recording {
  recorder: Recorder;
  lines: string[];
  file: string;
  /** Sends through the recorder; the answer as the client got it. */
  call(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; text: string; json: any }>;
  transcript(): { header: TranscriptHeader; exchanges: RecordedExchange[]; raw: string };
}

async function record(upstream: string, name: string): Promise<Recording> {
  const lines: string[] = [];
  const file = join(temp, `${name}.jsonl`);
  const recorder = await startRecorder({ upstream, port: 0, outFile: file, recorder: 'nimbus-sandbox test', output: { log: (line) => lines.push(line) } });
  cleanups.push(async () => { await recorder.stop(); });
  return {
    recorder, lines, file,
    async call(method, path, { key = KEY_A, body, headers = {} } = {}) {
      const response = await fetch(`${recorder.url}${path}`, {
        method,
        headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: unknown;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: response.status, headers: response.headers, text, json };
    },
    transcript() {
      const raw = readFileSync(file, 'utf8');
      const [header, ...exchanges] = raw.trimEnd().split('\n').map((line) => JSON.parse(line));
      return { header, exchanges, raw };
    },
  };
}

async function servedSandbox(wrap?: (sandbox: Sandbox) => (request: Request) => Promise<Response>): Promise<Served> {
  const sandbox = createSandbox();
  const served = await serveFetch(wrap === undefined ? sandbox.fetch : wrap(sandbox));
  cleanups.push(async () => { await served.stop(); await sandbox.close(); });
  return served;
}

const order = () => requestExample(operation('createOrder'), 'guide') as Record<string, unknown>;
const refusedMagic = () => magicValues('CreateOrderRequest').find((magic) => magic.status === 422 && !magic.field.includes('.'))!;

describe('nimbus-sandbox record', () => {
  test('an integration run through it: answers unchanged, no key or secret in clear, stable aliases, no departures from our own sandbox', async () => {
    const upstream = await servedSandbox();
    const run = await record(upstream.baseUrl, 'integration');
    const magic = refusedMagic();

    const created = await run.call('POST', '/orders', { body: order(), headers: { 'Idempotency-Key': 'order-run-1' } });
    const replayed = await run.call('POST', '/orders', { body: order(), headers: { 'Idempotency-Key': 'order-run-1' } });
    const refused = await run.call('POST', '/orders', { body: { ...order(), [magic.field]: magic.value } });
    const read = await run.call('GET', `/orders/${created.json.id}`);
    const listed = await run.call('GET', '/sandbox/orders?limit=2');
    const registered = await run.call('POST', '/sandbox/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/hooks' } });
    const endpoints = await run.call('GET', '/sandbox/webhook-endpoints');
    const advanced = await run.call('POST', '/sandbox/clock/advance', { body: { seconds: 86_400 } });
    const refill = await run.call('POST', '/refills', { body: { prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890', requestedQuantity: 30 } });
    const otherKey = await run.call('GET', '/sandbox/orders', { key: KEY_B });
    const answers = [created, replayed, refused, read, listed, registered, endpoints, advanced, refill, otherKey];
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 422, 200, 200, 201, 200, 200, 201, 200]);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const secret: string = registered.json.secret;
    const defaultSecret: string = endpoints.json.defaultSecret;
    expect(secret).toMatch(/^whsec_/);

    const { header, exchanges, raw } = run.transcript();
    expect(header).toMatchObject({ kind: 'transcript', version: 1, upstream: upstream.baseUrl, recorder: 'nimbus-sandbox test' });
    for (const clear of [KEY_A, KEY_B, secret, defaultSecret]) expect(raw).not.toContain(clear);
    expect(raw).not.toMatch(/whsec_/);
    expect(exchanges.map((exchange) => exchange.position)).toEqual(answers.map((_, index) => index + 1));
    expect(exchanges.map((exchange) => exchange.key)).toEqual([...answers.slice(1).map(() => 'key#1'), 'key#2']);
    expect(exchanges.flatMap((exchange) => exchange.departures)).toEqual([]);

    // What the client got, with the secrets aliased the same way everywhere.
    const aliased = (text: string) => text.replaceAll(secret, 'secret#1').replaceAll(defaultSecret, 'secret#2');
    expect(exchanges.map((exchange) => exchange.response?.status)).toEqual(answers.map((answer) => answer.status));
    expect(exchanges.map((exchange) => exchange.response?.body)).toEqual(answers.map((answer) => aliased(answer.text)));
    expect(JSON.parse(exchanges[5]!.response!.body!).secret).toBe('secret#1');
    expect(JSON.parse(exchanges[6]!.response!.body!)).toMatchObject({ data: [{ secret: 'secret#1' }], defaultSecret: 'secret#2' });

    const first = exchanges[0]!;
    expect(first.request).toEqual({
      method: 'POST', path: '/orders', query: '',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-run-1', accept: '*/*' },
      body: JSON.stringify(order()),
    });
    expect(first.response!.headers).toMatchObject({ 'content-type': expect.stringMatching(/^application\/json/), location: `/orders/${created.json.id}`, 'x-request-id': created.headers.get('x-request-id') });
    expect(Object.keys(first.response!.headers)).not.toContain('date');
    expect(exchanges[1]!.response!.headers['idempotent-replayed']).toBe('true');
    expect(exchanges[4]!.request).toMatchObject({ path: '/sandbox/orders', query: 'limit=2' });
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(first.startedAt)).not.toBeNaN();

    expect(run.lines[0]).toMatch(/^#1 POST \/orders → 201 \(\d+ ms\)$/);
    expect(run.lines[4]).toMatch(/^#5 GET \/sandbox\/orders\?limit=2 → 200 \(\d+ ms\)$/);
    expect(await run.recorder.stop()).toBe(10);
  });

  test('a key in a body or query is aliased too, and a trailing slash of the upstream is dropped', async () => {
    const upstream = await servedSandbox();
    const run = await record(`${upstream.baseUrl}/`, 'echo');
    await run.call('GET', `/sandbox/orders?cursor=${KEY_A}&limit=1`);
    await run.call('POST', '/orders', {
      body: { ...order(), notes: `my key is ${KEY_A}, my secret whsec_sentByTheClient1` },
      headers: { Authorization: 'Bearer token-never-written', Cookie: 'session=cookie-never-written', 'X-Custom': 'not-published' },
    });
    const { raw, header } = run.transcript();
    expect(header.upstream).toBe(upstream.baseUrl);
    for (const clear of [KEY_A, 'whsec_sentByTheClient1', 'token-never-written', 'cookie-never-written', 'not-published']) expect(raw).not.toContain(clear);
    expect(raw).toContain('my secret secret#1');
    expect(raw).toContain('my key is key#1');
    // Encoded, so a replay sends the whole query: a bare # would cut it at the alias.
    const { query } = run.transcript().exchanges[0]!.request;
    expect(query).toBe('cursor=key%231&limit=1');
    expect(Object.fromEntries(new URL(`http://replay.test/sandbox/orders?${query}`).searchParams)).toEqual({ cursor: 'key#1', limit: '1' });
  });

  test('a broken upstream that answers 200 for a create: the departure is printed and recorded at its position', async () => {
    const upstream = await servedSandbox((sandbox) => async (request) => {
      const answer = await sandbox.fetch(request);
      const create = request.method === 'POST' && new URL(request.url).pathname === '/orders';
      return create ? new Response(answer.body, { status: 200, headers: answer.headers }) : answer;
    });
    const run = await record(upstream.baseUrl, 'broken');
    await run.call('GET', '/orders/ord_1234567890');
    const created = await run.call('POST', '/orders', { body: order() });
    expect(created.status).toBe(200);
    const { exchanges } = run.transcript();
    expect(exchanges[0]!.departures).toEqual([]);
    expect(exchanges[1]!.departures).toEqual([expect.stringMatching(/^HTTP 200 is not a status the spec documents for createOrder/)]);
    expect(run.lines).toContainEqual(expect.stringMatching(/^#2 departs from spec\/openapi\.yaml: HTTP 200 is not a status the spec documents for createOrder/));
  });

  test('an upstream that does not answer: 502 with a short JSON error, and the failure recorded', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const run = await record(`http://127.0.0.1:${port}`, 'down');
    const answer = await run.call('GET', '/orders');
    expect(answer.status).toBe(502);
    expect(answer.json).toEqual({ recorder: 'nimbus-sandbox record', error: expect.stringContaining(`the upstream http://127.0.0.1:${port} could not be reached`) });
    const [exchange] = run.transcript().exchanges;
    expect(exchange).toMatchObject({ position: 1, key: 'key#1', request: { method: 'GET', path: '/orders' }, failure: expect.stringContaining('ECONNREFUSED'), departures: [] });
    expect(exchange!.response).toBeUndefined();
    expect(run.lines[0]).toMatch(/^#1 GET \/orders → no answer: the upstream .* could not be reached/);
  });

  test('an upstream that closes the connection without an answer (its drop fault): the client\'s connection is closed too, not answered 502', async () => {
    const upstream = await servedSandbox();
    const run = await record(upstream.baseUrl, 'drop');
    await expect(run.call('GET', '/orders/ord_1234567890', { headers: { 'Nimbus-Sandbox-Fault': 'drop' } })).rejects.toThrow(TypeError);
    const answer = await run.call('GET', '/orders/ord_1234567890');
    expect(answer.status).toBe(200);
    const [dropped, answered] = run.transcript().exchanges;
    expect(dropped).toMatchObject({ position: 1, request: { headers: { 'nimbus-sandbox-fault': 'drop' } }, failure: expect.stringContaining('closed the connection without an answer') });
    expect(dropped!.response).toBeUndefined();
    expect(answered).toMatchObject({ position: 2, response: { status: 200 } });
  });

  test('a HEAD request is held to its GET\'s status and headers, not to a body it never has', async () => {
    const upstream = await servedSandbox();
    const run = await record(upstream.baseUrl, 'head');
    const answer = await run.call('HEAD', '/orders/ord_1234567890');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(run.transcript().exchanges[0]).toMatchObject({ request: { method: 'HEAD' }, response: { status: 200 }, departures: [] });
  });

  test('a request body over the cap is refused by the recorder itself, not forwarded, and recorded as such', async () => {
    const seen: string[] = [];
    const upstream = await servedSandbox((sandbox) => async (request) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      return sandbox.fetch(request);
    });
    const run = await record(upstream.baseUrl, 'large');
    const answer = await run.call('POST', '/orders', { body: `{"notes":"${'x'.repeat(MAX_REQUEST_BODY_BYTES)}"}` });
    expect(answer.status).toBe(413);
    expect(seen).toEqual([]);
    const [exchange] = run.transcript().exchanges;
    expect(exchange).toMatchObject({ position: 1, failure: expect.stringContaining(`cap of ${MAX_REQUEST_BODY_BYTES} bytes`) });
    expect(exchange!.request.body).toBeUndefined();
    // Just over the published 1 MiB still reaches the upstream, whose own 413 is recorded.
    const upstream413 = await run.call('POST', '/orders', { body: `{"notes":"${'x'.repeat(1024 * 1024)}"}` });
    expect(upstream413.status).toBe(413);
    expect(run.transcript().exchanges[1]).toMatchObject({ response: { status: 413 }, departures: [] });
  });

  test('an answer longer than the transcript keeps: passed on whole, recorded cut and marked, judged on status and headers', async () => {
    const large = JSON.stringify({ padding: 'x'.repeat(MAX_RECORDED_BODY_BYTES + 1000) });
    const upstream = await servedSandbox((sandbox) => async (request) => (new URL(request.url).pathname === '/sandbox/openapi.json'
      ? new Response(large, { status: 200, headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req_large' } })
      : sandbox.fetch(request)));
    const run = await record(upstream.baseUrl, 'truncated');
    const warnings: string[] = [];
    const warned = (warning: Error) => warnings.push(warning.name);
    process.on('warning', warned);
    const answer = await run.call('GET', '/sandbox/openapi.json').finally(() => process.off('warning', warned));
    expect(answer.text).toBe(large);
    // Each wait for the client to drain once left a 'close' listener behind.
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    const [exchange] = run.transcript().exchanges;
    expect(exchange!.response).toMatchObject({ status: 200, truncated: true });
    expect(exchange!.response!.body).toBe(large.slice(0, MAX_RECORDED_BODY_BYTES));
    expect(exchange!.departures).toEqual([]);
  });

  test('an upstream that breaks off its answer: the client sees the connection end, the failure is recorded', async () => {
    const breaking = createHttpServer((_, outgoing) => {
      outgoing.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      outgoing.write('{"id":', () => outgoing.socket?.destroy());
    });
    await new Promise<void>((resolve) => breaking.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => { await new Promise((resolve) => breaking.close(resolve)); });
    const run = await record(`http://127.0.0.1:${(breaking.address() as AddressInfo).port}`, 'broken-off');
    await expect(run.call('GET', '/orders/ord_1234567890')).rejects.toThrow();
    await expect.poll(() => run.recorder.recorded).toBe(1);
    const [exchange] = run.transcript().exchanges;
    expect(exchange).toMatchObject({ position: 1, failure: expect.stringContaining('broke off its answer') });
    expect(exchange!.response).toBeUndefined();
  });

  test('stop() waits for the exchange in flight, writes it, and counts it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => { arrived = resolve; });
    const upstream = await servedSandbox((sandbox) => async (request) => {
      arrived();
      await held;
      return sandbox.fetch(request);
    });
    const run = await record(upstream.baseUrl, 'in-flight');
    const answer = run.call('GET', '/orders/ord_1234567890');
    await arrival;
    const stopped = run.recorder.stop();
    release();
    expect((await answer).status).toBe(200);
    expect(await stopped).toBe(1);
    expect(run.transcript().exchanges).toHaveLength(1);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'your-api-key';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the real CLI from source, collecting its output. */
function startCli(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the base URL once the CLI prints "listening on http://…", or rejects if it exits first. */
function listeningUrl(run: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(run.stdout());
      if (match) {
        run.child.stdout!.off('data', check);
        resolve(match[1]!);
      }
    };
    run.child.stdout!.on('data', check);
    check();
    run.exited.then((code) => reject(new Error(`the CLI exited with ${code} before listening: ${run.stderr()}`)));
  });
}

/** Resolves with the first line of stdout matching `pattern`, once printed. */
function printed(run: Run, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const line = run.stdout().split('\n').find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      run.child.stdout!.off('data', check);
      resolve(line);
    };
    run.child.stdout!.on('data', check);
    check();
  });
}

function stop(run: Run | undefined): void {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}

/** The Orders guide's first curl example. */
const GUIDE_CREATE = {
  patientId: 'pat_1234567890',
  prescriptionId: 'rx_9876543210',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
  notes: 'Please leave at front door',
};

/** The guide's "Create Order with Full Address" example. */
const GUIDE_FULL_ADDRESS = {
  ...GUIDE_CREATE,
  shippingAddress: { ...GUIDE_CREATE.shippingAddress, street2: 'Apt 4B' },
  notes: 'Fragile - handle with care',
};

describe('the CLI serving the guide\'s examples', () => {
  let server: Run;
  let base: string;

  beforeAll(async () => {
    server = startCli(['--port', '0']);
    base = await listeningUrl(server);
  });

  afterAll(() => stop(server));

  const create = (body: unknown, idempotencyKey: string) => fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(body),
  });
  const get = (path: string) => fetch(`${base}${path}`, { headers: { 'X-API-Key': API_KEY } });

  it('listens on a loopback address picked by the system', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(base).not.toMatch(/:0$/);
  });

  it('creates the guide\'s order with 201, a Location and no notes', async () => {
    const res = await create(GUIDE_CREATE, 'unique-key-123');
    const order = await res.json();
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(order).toMatchObject({ patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', status: 'pending', shippingAddress: GUIDE_CREATE.shippingAddress });
    expect(order).not.toHaveProperty('notes');
  });

  it('replays the guide\'s create when retried with the same Idempotency-Key', async () => {
    const first = await create(GUIDE_FULL_ADDRESS, 'order-2025-01-15-001');
    const retry = await create(GUIDE_FULL_ADDRESS, 'order-2025-01-15-001');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(await first.text());
  });

  it('returns a created order by its id', async () => {
    const created = await (await create(GUIDE_FULL_ADDRESS, 'order-2025-01-15-002')).json();
    const res = await get(`/orders/${created.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(created);
  });

  it('returns the quickstart\'s test order in processing', async () => {
    const res = await get('/orders/ord_1234567890');
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('processing');
  });

  it('logs each request on one pretty line by default, with the key as a fingerprint only', async () => {
    const res = await get('/orders/ord_logged_1');
    const line = await printed(server, /GET \/orders\/ord_logged_1 /);
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z GET /orders/ord_logged_1 404 not_found \\S+ms ${res.headers.get('x-request-id')} key:[0-9a-f]{8}$`));
    expect(server.stdout()).not.toContain(API_KEY);
  });
});

describe('the CLI\'s options and signals', () => {
  const runs: Run[] = [];
  const run = (args: string[]) => {
    const started = startCli(args);
    runs.push(started);
    return started;
  };

  afterAll(() => runs.forEach(stop));

  it('prints help and exits 0 with --help', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('Usage: nimbus-sandbox');
  });

  it('prints the package\'s version and exits 0 with --version', async () => {
    const version = run(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.stdout()).toBe(`${(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version}\n`);
  });

  it('logs one JSON object a line with --log json, and nothing with --log off; answers a preflight under --cors', async () => {
    const [json, off] = [run(['--port', '0', '--log', 'json', '--cors']), run(['--port', '0', '--log', 'off'])];
    const [jsonBase, offBase] = await Promise.all([listeningUrl(json), listeningUrl(off)]);
    for (const base of [jsonBase, offBase]) await fetch(`${base}/orders/ord_1234567890`, { headers: { 'X-API-Key': API_KEY } });
    const line = await printed(json, /^\{/);
    expect(JSON.parse(line)).toMatchObject({ kind: 'request', method: 'GET', path: '/orders/ord_1234567890', operationId: 'getOrder', status: 200, key: expect.stringMatching(/^[0-9a-f]{8}$/) });
    const preflight = await fetch(`${jsonBase}/orders`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
    expect(json.stdout()).not.toContain(API_KEY);
    off.child.kill('SIGTERM');
    expect(await off.exited).toBe(0);
    expect(off.stdout()).not.toMatch(/ord_1234567890|"kind"/);
  });

  it('exits 2 with a message on stderr for an unknown option', async () => {
    const bad = run(['--no-such-option']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/nimbus-sandbox: .*no-such-option/);
  });

  it.each([
    ['--max-tenants', '0', /maxTenants \(--max-tenants\) must be a whole number/],
    ['--max-tenants', '2.5', /maxTenants \(--max-tenants\) must be a whole number/],
    ['--time-scale', '0', /timeScale \(--time-scale\) must be a number above 0/],
    ['--fault-rate', '2', /faultRate \(--fault-rate\) must be a number from 0 to 1/],
    ['--seed', 'abc', /seed \(--seed\) must be a whole number/],
    ['--refill-timeline', '1,2', /refillTimeline \(--refill-timeline\) must be .*not "1,2"/],
    ['--sweep-interval', '0.5', /sweepIntervalMs \(--sweep-interval\) must be a whole number of ms/],
    ['--fault-latency', '30001', /faultLatencyMs \(--fault-latency\) must be a whole number of ms from 0 to 30000, not 30001/],
    ['--webhook-timeout', '0', /webhookTimeoutMs \(--webhook-timeout\) must be a whole number of ms from 1 to 60000, not 0/],
    ['--tenant-idle', 'soon', /tenantIdleMs \(--tenant-idle\) must be a whole number of ms from 0 up, not "soon"/],
    ['--max-body-bytes', '0', /maxBodyBytes \(--max-body-bytes\) must be a whole number of bytes from 1 up, not 0/],
    ['--request-timeout', '5000', /--request-timeout must be at least --headers-timeout \(10000\), not 5000/],
    ['--max-connections', '0', /--max-connections must be a whole number from 1 up, not 0/],
  ])('exits 2 naming the option for %s %s', async (option, value, message) => {
    const bad = run([option, value]);
    expect({ code: await bad.exited, said: message.test(bad.stderr()) }).toEqual({ code: 2, said: true });
  });

  it.each([
    ['--time-scale', '-1', 'timeScale (--time-scale) must be a number above 0, not -1'],
    ['--fault-rate', '-0.5', 'faultRate (--fault-rate) must be a number from 0 to 1, not -0.5'],
    ['--port', '-1', '--port must be a port number from 0 to 65535, not "-1"'],
  ])('gives its own message, not parseArgs\'s, for the negative %s %s', async (option, value, message) => {
    const bad = run([option, value]);
    expect({ code: await bad.exited, stderr: bad.stderr() }).toEqual({ code: 2, stderr: `nimbus-sandbox: ${message}\nRun with --help to see the options.\n` });
  });

  it('suggests the flag meant by a misspelt one', async () => {
    const bad = run(['--time-scal', '2']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('unknown option --time-scal; did you mean --time-scale?');
  });

  it('refuses a body over --max-body-bytes with 413, and serves under the other new flags', async () => {
    const server = run(['--port', '0', '--max-body-bytes', '64', '--sweep-interval', '0', '--fault-latency', '10',
      '--webhook-timeout', '500', '--tenant-idle', '1000', '--refill-timeline', '60,60,60,60']);
    const base = await listeningUrl(server);
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...GUIDE_CREATE, notes: 'x'.repeat(100) }),
    });
    expect(res.status).toBe(413);
  });

  it('refuses a second API key with 503 under --max-tenants 1', async () => {
    const server = run(['--port', '0', '--max-tenants', '1']);
    const base = await listeningUrl(server);
    const get = (key: string) => fetch(`${base}/orders/ord_1234567890`, { headers: { 'X-API-Key': key } });
    expect([(await get('key_a')).status, (await get('key_b')).status]).toEqual([200, 503]);
  });

  it('applies --headers-timeout to its server, answering a silent connection in the error envelope', async () => {
    const server = run(['--port', '0', '--headers-timeout', '300', '--request-timeout', '300', '--max-connections', '4', '--keep-alive-timeout', '1000']);
    const { hostname, port } = new URL(await listeningUrl(server));
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
    await once(socket, 'close');
    const [head = '', body = ''] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/\r\nX-Request-Id: req_\w+\r\n/);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/^The request was not received in time: its headers must arrive within 300 ms/) } });
  });

  /** Resolves once the CLI has said it no longer accepts connections. */
  const shuttingDown = (server: Run) => new Promise<void>((resolve) => {
    const check = () => { if (/Received SIG\w+; no longer accepting/.test(server.stdout())) resolve(); };
    server.child.stdout!.on('data', check);
    check();
  });
  const slowGet = (base: string, ms: number) => fetch(`${base}/orders/ord_1234567890`, {
    headers: { 'X-API-Key': API_KEY, 'Nimbus-Sandbox-Fault': `latency=${ms}` },
  });

  it('on SIGTERM refuses new connections, finishes the request in flight, then exits 0', async () => {
    const server = run(['--port', '0']);
    const base = await listeningUrl(server);
    // A keep-alive connection left idle must not hold the shutdown open.
    expect((await fetch(`${base}/orders/ord_1234567890`, { headers: { 'X-API-Key': API_KEY } })).status).toBe(200);
    const slow = slowGet(base, 1500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await shuttingDown(server);
    const { hostname, port } = new URL(base);
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(refused).toBe('ECONNREFUSED');
    const res = await slow;
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe('ord_1234567890');
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
  });

  it('on SIGTERM closes a request still in flight after --shutdown-timeout, and exits 0', async () => {
    const server = run(['--port', '0', '--shutdown-timeout', '200']);
    const base = await listeningUrl(server);
    const slow = slowGet(base, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await expect(slow).rejects.toThrow();
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('Requests still in flight after 200 ms; their connections were closed');
  });

  it('exits at once on a second signal', async () => {
    const server = run(['--port', '0']);
    const base = await listeningUrl(server);
    const slow = slowGet(base, 5000).catch(() => 'cut');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await shuttingDown(server);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(await slow).toBe('cut');
  });

  it('exits 0 on SIGTERM', async () => {
    const server = run(['--port', '0']);
    await listeningUrl(server);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});

describe('nimbus-sandbox record, as a process', () => {
  const runs: Run[] = [];
  afterAll(() => runs.forEach(stop));

  it('records in front of a sandbox until SIGTERM, then says how many exchanges it wrote and exits 0', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'nimbus-record-cli-'));
    try {
      const sandbox = startCli(['--port', '0', '--log', 'off']);
      runs.push(sandbox);
      const upstream = await listeningUrl(sandbox);
      const file = join(temp, 'transcript.jsonl');
      const recorder = startCli(['record', '--upstream', upstream, '--port', '0', '--out', file]);
      runs.push(recorder);
      const started = await printed(recorder, /^Recording /);
      const [, url] = /^Recording \S+ on (http:\/\/\S+) into /.exec(started)!;
      const answer = await fetch(`${url}/orders/ord_1234567890`, { headers: { 'X-API-Key': API_KEY } });
      expect(answer.status).toBe(200);
      await printed(recorder, /^#1 GET \/orders\/ord_1234567890 → 200/);
      recorder.child.kill('SIGTERM');
      expect(await recorder.exited).toBe(0);
      expect(recorder.stdout()).toContain(`Stopped: 1 exchange recorded into ${file}`);
      const raw = readFileSync(file, 'utf8');
      expect(raw.trimEnd().split('\n')).toHaveLength(2);
      expect(raw).not.toContain(API_KEY);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

/**
 * `npm run bench`: the sandbox (dist/cli.js, built first by the npm script) against a bare
 * Hono + Map baseline (bench/baseline-server.ts), plus the sandbox's start-up time.
 *
 *   tsx bench/run.ts [--duration N] [--warmup N] [--connections N] [--cli PATH] [--json]
 *
 * Each server is its own child process, so on a 2-core machine server and load generator
 * (autocannon, in this process) each get a core. Loopback only. Progress goes to stderr; the
 * table (or, with --json, one JSON document) to stdout. Exits 0 whether targets are met or
 * missed; exits 1 when a measurement is invalid (any non-2xx answer, error or timeout).
 */
import autocannon, { type Result } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));
const HOST = '127.0.0.1';
const ORDER_ID = 'ord_1234567890';
const API_KEY = 'bench';
const CREATE_BODY = JSON.stringify({
  patientId: 'pat_1234567890',
  prescriptionId: 'rx_9876543210',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
});
const TARGETS = { get: 0.8, post: 0.6, startupMs: 300 } as const;
const STARTUP_RUNS = 5;
const SERVER_READY_TIMEOUT_MS = 15_000;

const USAGE = `Usage: npm run bench -- [--duration N] [--warmup N] [--connections N] [--cli PATH] [--json]

  --duration N      Seconds per measurement (default 5)
  --warmup N        Seconds of warm-up load before each measurement (default 1)
  --connections N   Concurrent connections (default 50)
  --cli PATH        The sandbox build to measure (default dist/cli.js), e.g. to compare a change
  --json            Print one JSON document on stdout instead of the table`;

class BenchError extends Error {}

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new BenchError(`--${name} takes a positive ${integer ? 'integer' : 'number'}, not "${text}"`);
  }
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '50' },
      cli: { type: 'string', default: DEFAULT_CLI },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    duration: positive('duration', values.duration, false),
    warmup: Number(values.warmup) === 0 ? 0 : positive('warmup', values.warmup, false),
    connections: positive('connections', values.connections, true),
    cli: path.resolve(values.cli),
    json: values.json,
    help: values.help,
  };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Children: every one is tracked, and all are killed however this process ends.

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping the servers`);
    killAll();
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  });
}

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

/** Spawns a server and resolves with its URL once it prints one (it is listening by then). */
function startServer(name: string, args: string[], ipc = false): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BenchError(`${name} printed no URL within ${SERVER_READY_TIMEOUT_MS} ms\n${stdout}${stderr}`));
    }, SERVER_READY_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new BenchError(`${name} exited (${signal ?? `code ${code}`}) before listening\n${stdout}${stderr}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new BenchError(`cannot start ${name}: ${error.message}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost):(\d+)/.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume(); // keep draining, so a chatty server never blocks on a full pipe
      resolve({ name, url: `http://${HOST}:${match[1]}`, child });
    });
  });
}

/** SIGTERM, then SIGKILL if it has not gone within 2 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// One-off requests (node:http on a fresh connection: no pooled socket, no lazy fetch start-up).

interface Answer { status: number; body: string }

function request(url: string, method: 'GET' | 'POST', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'X-API-Key': API_KEY };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Refuses to benchmark a server that does not answer the two requests correctly. */
async function sanityCheck(server: Server): Promise<void> {
  const got = await request(`${server.url}/orders/${ORDER_ID}`, 'GET');
  if (got.status !== 200 || (JSON.parse(got.body) as { id?: unknown }).id !== ORDER_ID) {
    throw new BenchError(`${server.name}: GET /orders/${ORDER_ID} answered ${got.status} ${got.body.slice(0, 300)}`);
  }
  const created = await request(`${server.url}/orders`, 'POST', CREATE_BODY);
  if (created.status !== 201 || !/^ord_/.test(String((JSON.parse(created.body) as { id?: unknown }).id))) {
    throw new BenchError(`${server.name}: POST /orders answered ${created.status} ${created.body.slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Start-up: spawn `node dist/cli.js --port 0` until the first 200 to GET /orders/ord_1234567890.

async function startupOnce(cli: string): Promise<number> {
  const started = performance.now();
  const server = await startServer('sandbox (start-up)', [cli, '--port', '0']);
  try {
    for (;;) {
      try {
        const answer = await request(`${server.url}/orders/${ORDER_ID}`, 'GET');
        if (answer.status !== 200) throw new BenchError(`start-up probe answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        return performance.now() - started;
      } catch (error) {
        if (error instanceof BenchError) throw error;
        if (performance.now() - started > SERVER_READY_TIMEOUT_MS) throw new BenchError(`no answer from ${server.url}: ${(error as Error).message}`);
        await sleep(1);
      }
    }
  } finally {
    await stopServer(server.child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Load.

interface Endpoint { key: 'get' | 'post'; label: string; method: 'GET' | 'POST'; path: string; body?: string }

const ENDPOINTS: Endpoint[] = [
  { key: 'get', label: `GET /orders/${ORDER_ID}`, method: 'GET', path: `/orders/${ORDER_ID}` },
  { key: 'post', label: 'POST /orders', method: 'POST', path: '/orders', body: CREATE_BODY },
];

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux; USER_HZ is 100
 * there). Unlike req/s it hardly moves when other work competes for the cores, so it is reported
 * beside req/s as a steadier view of the cost per request. undefined where /proc is missing.
 */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime and stime, fields 14 and 15
  } catch {
    return undefined;
  }
}

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - fields[3]! - fields[4]!, total }; // minus idle and iowait
  } catch {
    return undefined;
  }
}

/** The share of all cores busy over the next `ms` (steal included), before the bench loads them. */
async function machineBusy(ms: number): Promise<number | undefined> {
  const before = cpuTimes();
  await sleep(ms);
  const after = cpuTimes();
  if (before === undefined || after === undefined || after.total === before.total) return undefined;
  return (after.busy - before.busy) / (after.total - before.total);
}

interface Measurement {
  requestsPerSecond: number;
  /** Server CPU time per answered request, in microseconds (Linux only). */
  serverCpuMicrosPerRequest?: number;
  requests: number;
  latencyMs: { average: number; p50: number; p99: number };
  durationSeconds: number;
}

async function fire(server: Server, endpoint: Endpoint, duration: number, connections: number): Promise<Result> {
  const headers: Record<string, string> = { 'X-API-Key': API_KEY };
  if (endpoint.body !== undefined) headers['Content-Type'] = 'application/json';
  return autocannon({
    url: `${server.url}${endpoint.path}`,
    method: endpoint.method,
    headers,
    ...(endpoint.body === undefined ? {} : { body: endpoint.body }),
    connections,
    duration,
    timeout: 10,
  });
}

function assertClean(result: Result, what: string): void {
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad === 0 && result['2xx'] > 0) return;
  const codes = Object.entries(result.statusCodeStats).map(([code, { count }]) => `${code}×${count}`).join(', ');
  throw new BenchError(`${what}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, `
    + `${result['2xx']} 2xx (status codes: ${codes || 'none'}); the measurement is invalid`);
}

async function measure(server: Server, endpoint: Endpoint, opts: { duration: number; warmup: number; connections: number }): Promise<Measurement> {
  const what = `${server.name} ${endpoint.label}`;
  if (opts.warmup > 0) {
    log(`${what}: warm-up ${opts.warmup} s`);
    assertClean(await fire(server, endpoint, opts.warmup, opts.connections), `${what} (warm-up)`);
  }
  log(`${what}: measuring ${opts.duration} s with ${opts.connections} connections`);
  const cpuBefore = cpuMs(server.child.pid);
  const result = await fire(server, endpoint, opts.duration, opts.connections);
  const cpuAfter = cpuMs(server.child.pid);
  assertClean(result, what);
  const measurement: Measurement = {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyMs: { average: result.latency.average, p50: result.latency.p50, p99: result.latency.p99 },
    durationSeconds: result.duration,
    ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { serverCpuMicrosPerRequest: ((cpuAfter - cpuBefore) * 1000) / result.requests.total }),
  };
  const cpu = measurement.serverCpuMicrosPerRequest === undefined ? '' : `, server CPU ${measurement.serverCpuMicrosPerRequest.toFixed(0)} µs/request`;
  log(`${what}: ${fmt(measurement.requestsPerSecond)} req/s (${measurement.requests} requests, `
    + `latency avg ${measurement.latencyMs.average.toFixed(2)} ms, p99 ${measurement.latencyMs.p99} ms${cpu})`);
  return measurement;
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (!existsSync(opts.cli)) throw new BenchError(`${opts.cli} is missing; run through \`npm run bench\`, which builds it first`);
  const started = performance.now();
  log(`node ${process.version}; ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s per measurement`);
  const busyBefore = await machineBusy(500);
  if (busyBefore !== undefined && busyBefore > 0.15) {
    log(`warning: the machine was ${(busyBefore * 100).toFixed(0)}% busy before the bench started; other work skews these figures`);
  }

  // Start-up first, while nothing else is running.
  const startupSamples: number[] = [];
  for (let run = 1; run <= STARTUP_RUNS; run++) {
    const ms = await startupOnce(opts.cli);
    startupSamples.push(ms);
    log(`start-up run ${run}/${STARTUP_RUNS}: ${ms.toFixed(1)} ms`);
  }
  const startupMs = median(startupSamples);

  const baseline = await startServer('baseline', ['--import', 'tsx', BASELINE, '--port', '0', '--host', HOST], true);
  log(`baseline listening on ${baseline.url}`);
  const sandbox = await startServer('sandbox', [opts.cli, '--port', '0', '--host', HOST, '--rate-limit', 'off']);
  log(`sandbox listening on ${sandbox.url}`);
  await sanityCheck(baseline);
  await sanityCheck(sandbox);

  const results = new Map<Endpoint['key'], { sandbox: Measurement; baseline: Measurement }>();
  for (const endpoint of ENDPOINTS) {
    const base = await measure(baseline, endpoint, opts);
    const sand = await measure(sandbox, endpoint, opts);
    results.set(endpoint.key, { sandbox: sand, baseline: base });
  }
  await Promise.all([stopServer(baseline.child), stopServer(sandbox.child)]);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const rows = ENDPOINTS.map((endpoint) => {
    const { sandbox: s, baseline: b } = results.get(endpoint.key)!;
    const ratio = s.requestsPerSecond / b.requestsPerSecond;
    const target = TARGETS[endpoint.key];
    return { endpoint, sandbox: s, baseline: b, ratio, target, pass: ratio >= target };
  });
  const startupPass = startupMs < TARGETS.startupMs;
  const allPass = rows.every((row) => row.pass) && startupPass;

  if (opts.json) {
    console.log(JSON.stringify({
      node: process.version,
      settings: { sandbox: opts.cli, durationSeconds: opts.duration, warmupSeconds: opts.warmup, connections: opts.connections },
      machineBusyBefore: busyBefore ?? null,
      throughput: Object.fromEntries(rows.map((row) => [row.endpoint.key, {
        request: row.endpoint.label,
        sandbox: row.sandbox,
        baseline: row.baseline,
        ratio: row.ratio,
        target: row.target,
        pass: row.pass,
      }])),
      startup: { samplesMs: startupSamples, medianMs: startupMs, targetMs: TARGETS.startupMs, pass: startupPass },
      pass: allPass,
    }, null, 2));
    return;
  }

  console.log('');
  console.log(table([
    ['', 'sandbox', 'baseline', 'ratio', 'target', 'result'],
    ...rows.map((row) => [
      `${row.endpoint.label} (req/s)`, fmt(row.sandbox.requestsPerSecond), fmt(row.baseline.requestsPerSecond),
      `${row.ratio.toFixed(2)}x`, `>= ${row.target}x`, row.pass ? 'PASS' : 'MISS',
    ]),
    [`start-up (median of ${STARTUP_RUNS})`, `${startupMs.toFixed(0)} ms`, '-', '-', `< ${TARGETS.startupMs} ms`, startupPass ? 'PASS' : 'MISS'],
  ]));
  console.log('');
  console.log(`start-up samples: ${startupSamples.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  for (const row of rows) {
    const sandboxCpu = row.sandbox.serverCpuMicrosPerRequest;
    const baselineCpu = row.baseline.serverCpuMicrosPerRequest;
    if (sandboxCpu === undefined || baselineCpu === undefined) continue;
    console.log(`server CPU per request, ${row.endpoint.label}: sandbox ${sandboxCpu.toFixed(0)} µs, baseline ${baselineCpu.toFixed(0)} µs `
      + `(baseline/sandbox ${(baselineCpu / sandboxCpu).toFixed(2)}x; informational)`);
  }
  console.log(`baseline: bare Hono + Map (bench/baseline-server.ts); sandbox: node ${path.relative(ROOT, opts.cli)} --rate-limit off; `
    + `${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s each, ${HOST}`);
  if (busyBefore !== undefined && busyBefore > 0.15) {
    console.log(`warning: the machine was ${(busyBefore * 100).toFixed(0)}% busy before the bench started; other work skews these figures`);
  }
  console.log(allPass ? 'All targets met.' : `MISSED: ${[
    ...rows.filter((row) => !row.pass).map((row) => `${row.endpoint.label} at ${row.ratio.toFixed(2)}x (target ${row.target}x)`),
    ...(startupPass ? [] : [`start-up at ${startupMs.toFixed(0)} ms (target < ${TARGETS.startupMs} ms)`]),
  ].join('; ')}`);
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (error: unknown) => {
    killAll();
    if (error instanceof BenchError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`bench: FAILED: ${(error as Error).message}`);
      if (!(error instanceof BenchError)) console.error(USAGE);
    } else {
      console.error('bench: FAILED:', error);
    }
    process.exit(1);
  },
);

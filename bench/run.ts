/**
 * `npm run bench`: the sandbox (dist/cli.js, built first by the npm script) against a bare
 * Hono + Map baseline (bench/baseline-server.ts), plus the sandbox's start-up time, and two
 * scenarios that check the background work stays off the hot path:
 *
 *   basic     GET /orders/ord_1234567890 and POST /orders against the baseline; start-up time.
 *   inflight  GET /orders/ord_1234567890 with 100,000 orders in flight under one key (real clock,
 *             1 s sweep) against an empty sandbox and the baseline; the sandbox's RSS.
 *   webhooks  GET /orders/ord_1234567890 while 1,000 orders move to delivered (--time-scale 86400)
 *             with a webhook endpoint registered, against a fresh sandbox doing the same with none;
 *             the receiver (bench/webhook-receiver.ts) is a process of its own.
 *
 *   tsx bench/run.ts [--duration N] [--warmup N] [--connections N] [--rounds N] [--cli PATH] [--json] [--log MODE]
 *                    [--only basic,inflight,webhooks] [--inflight-orders N] [--webhook-orders N]
 *
 * Every comparison is measured in rounds (default 3) that take the servers in turn, in alternating
 * order, and compares medians: req/s on this machine drifts by a third over minutes, and a single
 * back-to-back pair can land on either side of a target. Each server is its own child process,
 * so on a 2-core machine server and load generator (autocannon, in this process) each get a core. Loopback only. Progress goes to stderr; the
 * table (or, with --json, one JSON document) to stdout. Exits 0 whether targets are met or
 * missed; exits 1 when a measurement is invalid (any non-2xx answer, error or timeout).
 */
import autocannon, { type Result } from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HOST, listeningUrl, request as freshRequest, stopServer, type Answer } from './processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));
const RECEIVER = fileURLToPath(new URL('./webhook-receiver.ts', import.meta.url));
const ORDER_ID = 'ord_1234567890';
const API_KEY = 'bench';
const CREATE_BODY = JSON.stringify({
  patientId: 'pat_1234567890',
  prescriptionId: 'rx_9876543210',
  shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
});
const TARGETS = {
  get: 0.8,
  post: 0.6,
  /** GET with the CLI's default request log (pretty, to a pipe the harness drains) against the same sandbox without it. */
  getLogged: 0.85,
  startupMs: 300,
  /** GET with the in-flight orders against the same GET on an empty sandbox, and on the baseline. */
  inflightVsEmpty: 0.9,
  inflightVsBaseline: 0.8,
  /** GET while orders deliver with an endpoint registered, against the same with none. */
  webhooks: 0.9,
  /** Another key's slowest read while one key's clock moves 5 days over its orders (ms). */
  fairReadMs: 250,
  /** A status filter matching none of one key's orders (ms, the median of 20 tries). */
  fairFilterMs: 20,
} as const;
const STARTUP_RUNS = 5;
const SERVER_READY_TIMEOUT_MS = 15_000;
/** Bounds creating the in-flight orders, and waiting for orders to deliver and webhooks to land. */
const CREATE_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 15_000;
/** A day of the sandbox's clock per real second: an order is delivered about 4 s after it is placed. */
const WEBHOOK_TIME_SCALE = 86_400;
const WEBHOOK_EVENTS = ['order.created', 'order.fulfilled', 'order.delivered'] as const;
const SCENARIOS = ['basic', 'inflight', 'webhooks', 'fairness'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `Usage: npm run bench -- [--duration N] [--warmup N] [--connections N] [--rounds N] [--pin auto|off] [--cli PATH] [--json] [--log MODE]
                        [--only basic,inflight,webhooks,fairness] [--inflight-orders N] [--webhook-orders N]
                        [--fairness-orders N]

  --duration N          Seconds per measurement (default 5)
  --warmup N            Seconds of warm-up load before each measurement (default 1)
  --connections N       Concurrent connections (default 50)
  --rounds N            Rounds per comparison (default 3): the servers compared are measured in
                        turn, in alternating order, and each ratio is taken between their medians
  --pin auto|off        auto (default): with taskset and 2+ CPUs, servers run on the last CPU and
                        the harness (this process's load generator, the webhook receiver) on CPU 0
  --cli PATH            The sandbox build to measure (default dist/cli.js), e.g. to compare a change
  --json                Print one JSON document on stdout instead of the table
  --log pretty|json|off The measured sandbox's request log (default off: the baseline logs nothing
                        either); the basic scenario also measures GET with the pretty log against it
  --only S1,S2          Run only these scenarios (default all):
                          basic     GET and POST against the baseline, and start-up time
                          inflight  GET with --inflight-orders orders in flight (real clock)
                          webhooks  GET while --webhook-orders orders deliver, endpoint vs none
                          fairness  another key's reads while one key's clock moves 5 days over
                                    --fairness-orders orders, and a status filter matching none
  --inflight-orders N   Orders placed before the in-flight GET (default 100000)
  --webhook-orders N    Orders moving to delivered in the webhooks scenario (default 1000)
  --fairness-orders N   Orders of the busy key in the fairness scenario (default 30000)`;

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
      rounds: { type: 'string', default: '3' },
      pin: { type: 'string', default: 'auto' },
      cli: { type: 'string', default: DEFAULT_CLI },
      json: { type: 'boolean', default: false },
      log: { type: 'string', default: 'off' },
      only: { type: 'string', default: SCENARIOS.join(',') },
      'inflight-orders': { type: 'string', default: '100000' },
      'webhook-orders': { type: 'string', default: '1000' },
      'fairness-orders': { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    duration: positive('duration', values.duration, false),
    warmup: Number(values.warmup) === 0 ? 0 : positive('warmup', values.warmup, false),
    connections: positive('connections', values.connections, true),
    rounds: positive('rounds', values.rounds, true),
    pin: pinChoice(values.pin),
    cli: path.resolve(values.cli),
    json: values.json,
    log: logChoice(values.log),
    only: scenarios(values.only),
    inflightOrders: positive('inflight-orders', values['inflight-orders'], true),
    webhookOrders: positive('webhook-orders', values['webhook-orders'], true),
    fairnessOrders: positive('fairness-orders', values['fairness-orders'], true),
    help: values.help,
  };
}

type Options = ReturnType<typeof options>;

function logChoice(text: string): 'pretty' | 'json' | 'off' {
  if (text !== 'pretty' && text !== 'json' && text !== 'off') throw new BenchError(`--log takes pretty, json or off, not "${text}"`);
  return text;
}

function pinChoice(text: string): 'auto' | 'off' {
  if (text !== 'auto' && text !== 'off') throw new BenchError(`--pin takes auto or off, not "${text}"`);
  return text;
}

function scenarios(text: string): Set<Scenario> {
  const chosen = new Set<Scenario>();
  for (const name of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new BenchError(`--only takes ${SCENARIOS.join(', ')} (comma-separated), not "${name}"`);
    }
    chosen.add(name as Scenario);
  }
  if (chosen.size === 0) throw new BenchError(`--only takes ${SCENARIOS.join(', ')} (comma-separated)`);
  return chosen;
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
/**
 * Where processes run, when pinned: the servers measured on a CPU of their own, the harness (the
 * load generator in this process, and the webhook receiver) on another. Unpinned, the scheduler
 * moves them about, and a receiver woken for each webhook lands on the sandbox's CPU.
 */
let pinning: { harnessCpu: number; serverCpu: number } | undefined;

function pin(choice: 'auto' | 'off'): void {
  if (choice === 'off') return;
  let cpus: number[];
  try {
    // "pid 123's current affinity list: 0,2-3": the CPUs this process may use, not merely how many.
    const list = execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' }).split(':').pop()!.trim();
    cpus = list.split(',').flatMap((part) => {
      const [first, last = first] = part.split('-').map(Number);
      return Array.from({ length: last! - first! + 1 }, (_, index) => first! + index);
    });
    if (cpus.length < 2 || cpus.some((cpu) => !Number.isInteger(cpu))) return;
    execFileSync('taskset', ['-a', '-p', '-c', String(cpus[0]), String(process.pid)], { stdio: 'ignore' });
  } catch {
    log('taskset is missing or refused: processes are not pinned to CPUs');
    return;
  }
  pinning = { harnessCpu: cpus[0]!, serverCpu: cpus[cpus.length - 1]! };
}

function startServer(name: string, args: string[], ipc = false, role: 'server' | 'harness' = 'server'): Promise<Server> {
  const [command, commandArgs] = pinning === undefined
    ? [process.execPath, args]
    : ['taskset', ['-c', String(role === 'server' ? pinning.serverCpu : pinning.harnessCpu), process.execPath, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return listeningUrl(child, name, SERVER_READY_TIMEOUT_MS).then(
    (url) => ({ name, url, child }),
    (error: Error) => { throw new BenchError(error.message); },
  );
}

// ---------------------------------------------------------------------------------------------
// One-off requests under the bench's API key.

function request(url: string, method: 'GET' | 'POST', body?: string, apiKey = API_KEY): Promise<Answer> {
  return freshRequest(url, method, body, apiKey);
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

/** How many times the kernel has taken the CPU from a process (involuntary context switches), from /proc (Linux). */
function preemptions(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
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
  /** The median round's req/s (the only round's, with --rounds 1). */
  requestsPerSecond: number;
  /** Every round's req/s, in the order measured. */
  roundsRequestsPerSecond?: number[];
  /** Server CPU time per answered request, in microseconds (Linux only). */
  serverCpuMicrosPerRequest?: number;
  /** Server CPU time over the measurement, in ms, and how often the kernel took the CPU from it (Linux only). */
  serverCpuMs?: number;
  serverPreemptions?: number;
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

async function measure(server: Server, endpoint: Endpoint, opts: { duration: number; warmup: number; connections: number }, round = ''): Promise<Measurement> {
  const what = `${server.name} ${endpoint.label}${round}`;
  if (opts.warmup > 0) {
    log(`${what}: warm-up ${opts.warmup} s`);
    assertClean(await fire(server, endpoint, opts.warmup, opts.connections), `${what} (warm-up)`);
  }
  log(`${what}: measuring ${opts.duration} s with ${opts.connections} connections`);
  const cpuBefore = cpuMs(server.child.pid);
  const preemptedBefore = preemptions(server.child.pid);
  const result = await fire(server, endpoint, opts.duration, opts.connections);
  const cpuAfter = cpuMs(server.child.pid);
  const preemptedAfter = preemptions(server.child.pid);
  assertClean(result, what);
  const measurement: Measurement = {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyMs: { average: result.latency.average, p50: result.latency.p50, p99: result.latency.p99 },
    durationSeconds: result.duration,
    ...(cpuBefore === undefined || cpuAfter === undefined ? {} : {
      serverCpuMicrosPerRequest: ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
      serverCpuMs: cpuAfter - cpuBefore,
    }),
    ...(preemptedBefore === undefined || preemptedAfter === undefined ? {} : { serverPreemptions: preemptedAfter - preemptedBefore }),
  };
  const cpu = measurement.serverCpuMicrosPerRequest === undefined ? '' : `, server CPU ${measurement.serverCpuMicrosPerRequest.toFixed(0)} µs/request`;
  log(`${what}: ${fmt(measurement.requestsPerSecond)} req/s (${measurement.requests} requests, `
    + `latency avg ${measurement.latencyMs.average.toFixed(2)} ms, p99 ${measurement.latencyMs.p99} ms${cpu})`);
  return measurement;
}

/** The round with the median req/s, carrying every round's req/s. */
function medianRound(rounds: Measurement[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, roundsRequestsPerSecond: rounds.map((round) => round.requestsPerSecond) };
}

/**
 * Measures `servers` in turn, `rounds` times, reversing the order every other round, so that a
 * machine that speeds up or slows down during the run weighs on every server alike. Each server
 * is warmed up once, first. Returns each server's median round.
 */
async function alternate(servers: Server[], endpoint: Endpoint, opts: { duration: number; warmup: number; connections: number; rounds: number }): Promise<Measurement[]> {
  if (opts.warmup > 0) {
    for (const server of servers) {
      log(`${server.name} ${endpoint.label}: warm-up ${opts.warmup} s`);
      assertClean(await fire(server, endpoint, opts.warmup, opts.connections), `${server.name} ${endpoint.label} (warm-up)`);
    }
  }
  const rounds: Measurement[][] = servers.map(() => []);
  for (let round = 0; round < opts.rounds; round++) {
    const order = servers.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      rounds[index]!.push(await measure(servers[index]!, endpoint, { ...opts, warmup: 0 }, ` (round ${round + 1}/${opts.rounds})`));
    }
  }
  return rounds.map(medianRound);
}

/** The resident set size of a process, in KiB, from /proc/<pid>/status (Linux); undefined elsewhere. */
function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

/** Rate limits off, the per-key order cap far above what one key places over every round, and the request log as --log says. */
const sandboxArgs = (opts: Options, ...extra: string[]) => [opts.cli, '--port', '0', '--host', HOST, '--rate-limit', 'off', '--max-orders', '100000000', '--log', opts.log, ...extra];

/** Places `amount` orders under API_KEY as fast as autocannon can, logging progress every 2 s. */
async function createOrders(server: Server, amount: number, connections: number): Promise<{ seconds: number; perSecond: number }> {
  const what = `${server.name} POST /orders ×${fmt(amount)}`;
  const used = Math.min(connections, amount);
  log(`${what}: placing with ${used} connections`);
  const started = performance.now();
  const instance = autocannon({
    url: `${server.url}/orders`,
    method: 'POST',
    headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
    body: CREATE_BODY,
    connections: used,
    amount,
    timeout: 10,
  });
  let answered = 0;
  instance.on('response', () => { answered++; });
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    log(`${what}: ${fmt(answered)} answered (${((answered / amount) * 100).toFixed(0)}%) after ${seconds.toFixed(0)} s`);
  }, 2000);
  let timedOut = false;
  const watchdog = setTimeout(() => {
    timedOut = true;
    instance.stop();
  }, CREATE_TIMEOUT_MS);
  let result: Result;
  try {
    result = await instance;
  } finally {
    clearInterval(progress);
    clearTimeout(watchdog);
  }
  if (timedOut) throw new BenchError(`${what}: only ${fmt(answered)} answered within ${CREATE_TIMEOUT_MS / 1000} s`);
  assertClean(result, what);
  if (result['2xx'] < amount) throw new BenchError(`${what}: only ${fmt(result['2xx'])} of ${fmt(amount)} placed`);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = result['2xx'] / seconds;
  log(`${what}: ${fmt(result['2xx'])} placed in ${seconds.toFixed(1)} s (${fmt(perSecond)}/s)`);
  return { seconds, perSecond };
}

/**
 * Places `amount` orders with `concurrency` keep-alive requests at a time and returns as soon as
 * the last is answered (autocannon ends only on its next 1 s tick, too late for orders that
 * deliver in about 4 s).
 */
async function placeOrders(server: Server, amount: number, concurrency: number): Promise<{ seconds: number; perSecond: number }> {
  const what = `${server.name} POST /orders ×${fmt(amount)}`;
  const workers = Math.min(concurrency, amount);
  log(`${what}: placing with ${workers} connections`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < amount) { // each pass takes one order, so at most `amount` passes in all
      next++;
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = http.request(`${server.url}/orders`, {
          method: 'POST',
          agent,
          timeout: 10_000,
          headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(CREATE_BODY)) },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', reject);
        req.end(CREATE_BODY);
      });
      if (answer.status !== 201) throw new BenchError(`${what}: answered ${answer.status} ${answer.body.slice(0, 300)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const perSecond = amount / seconds;
  log(`${what}: ${fmt(amount)} placed in ${seconds.toFixed(2)} s (${fmt(perSecond)}/s)`);
  return { seconds, perSecond };
}

/** How many of API_KEY's orders are delivered, from GET /sandbox/orders?status=delivered, 100 a page. */
async function countDelivered(server: Server, expected: number): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  const maxPages = Math.ceil(expected / 100) + 2; // bounded even if the list kept growing
  for (let page = 0; page < maxPages; page++) {
    const query = `status=delivered&limit=100${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const answer = await request(`${server.url}/sandbox/orders?${query}`, 'GET');
    if (answer.status !== 200) throw new BenchError(`${server.name}: GET /sandbox/orders answered ${answer.status} ${answer.body.slice(0, 300)}`);
    const list = JSON.parse(answer.body) as { data: unknown[]; hasMore: boolean; nextCursor?: string | null };
    count += list.data.length;
    if (!list.hasMore || typeof list.nextCursor !== 'string') break;
    cursor = list.nextCursor;
  }
  return count;
}

/** The webhook receiver (bench/webhook-receiver.ts), in its own process. */
interface Receiver {
  url: string;
  counts(): Promise<{ total: number; byType: Record<string, number> }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const server = await startServer('webhook receiver', ['--import', 'tsx', RECEIVER], true, 'harness');
  return {
    url: server.url.replace(/\/?$/, '/hooks/nimbus'),
    counts: () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError('the webhook receiver did not answer with its counts within 5 s')), 5000);
      server.child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as { total: number; byType: Record<string, number> });
      });
      server.child.send('counts');
    }),
    close: () => stopServer(server.child),
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

const GET_ENDPOINT = ENDPOINTS[0]!;

interface BasicResult {
  rows: { endpoint: Endpoint; sandbox: Measurement; baseline: Measurement; ratio: number; target: number; pass: boolean }[];
  /** GET on a second sandbox writing the pretty request log, against the measured one. */
  logged: { get: Measurement; ratio: number; target: number; pass: boolean };
  startupSamples: number[];
  startupMs: number;
  startupPass: boolean;
}

async function basic(opts: Options): Promise<BasicResult> {
  log('scenario basic: the sandbox against the baseline, and start-up');
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
  const sandbox = await startServer('sandbox', sandboxArgs(opts));
  log(`sandbox listening on ${sandbox.url}`);
  const logging = await startServer('sandbox (log pretty)', sandboxArgs({ ...opts, log: 'pretty' }));
  log(`sandbox (log pretty) listening on ${logging.url}`);
  const results = new Map<Endpoint['key'], { sandbox: Measurement; baseline: Measurement }>();
  let loggedGet: Measurement;
  try {
    await sanityCheck(baseline);
    await sanityCheck(sandbox);
    await sanityCheck(logging);
    const [base, sand, logged] = await alternate([baseline, sandbox, logging], GET_ENDPOINT, opts);
    results.set(GET_ENDPOINT.key, { sandbox: sand!, baseline: base! });
    loggedGet = logged!;
    for (const endpoint of ENDPOINTS.filter((candidate) => candidate !== GET_ENDPOINT)) {
      const [base, sand] = await alternate([baseline, sandbox], endpoint, opts);
      results.set(endpoint.key, { sandbox: sand!, baseline: base! });
    }
  } finally {
    await Promise.all([stopServer(baseline.child), stopServer(sandbox.child), stopServer(logging.child)]);
  }
  const rows = ENDPOINTS.map((endpoint) => {
    const { sandbox: s, baseline: b } = results.get(endpoint.key)!;
    const ratio = s.requestsPerSecond / b.requestsPerSecond;
    const target = TARGETS[endpoint.key];
    return { endpoint, sandbox: s, baseline: b, ratio, target, pass: ratio >= target };
  });
  const loggedRatio = loggedGet.requestsPerSecond / results.get(GET_ENDPOINT.key)!.sandbox.requestsPerSecond;
  const logged = { get: loggedGet, ratio: loggedRatio, target: TARGETS.getLogged, pass: loggedRatio >= TARGETS.getLogged };
  return { rows, logged, startupSamples, startupMs, startupPass: startupMs < TARGETS.startupMs };
}

interface InflightResult {
  orders: number;
  placing: { seconds: number; perSecond: number };
  /** The GET on the sandbox with the orders in flight. */
  inflight: Measurement;
  /** The same GET on a second sandbox that placed as many orders and reset them, measured in the same rounds. */
  empty: Measurement;
  baseline: Measurement;
  vsEmpty: { ratio: number; target: number; pass: boolean };
  vsBaseline: { ratio: number; target: number; pass: boolean };
  rssKiB: { empty?: number; inflight?: number };
  stillPending: number;
}

/** Three servers measured in the same rounds: the baseline, an empty sandbox, and one with the orders in flight. */
async function inflight(opts: Options): Promise<InflightResult> {
  log(`scenario inflight: GET with ${fmt(opts.inflightOrders)} orders in flight, against an empty sandbox and the baseline`);
  const started: Server[] = [];
  try {
    const baseline = await startServer('baseline', ['--import', 'tsx', BASELINE, '--port', '0', '--host', HOST], true);
    started.push(baseline);
    const empty = await startServer('sandbox (empty)', sandboxArgs(opts));
    started.push(empty);
    const sandbox = await startServer('sandbox (in flight)', sandboxArgs(opts));
    started.push(sandbox);
    log(`baseline on ${baseline.url}; empty sandbox on ${empty.url}; in-flight sandbox on ${sandbox.url} (real clock, 1 s sweep)`);
    for (const server of started) await sanityCheck(server); // places one order on each
    const rssEmpty = rssKiB(sandbox.child.pid);
    const placing = await createOrders(sandbox, opts.inflightOrders, opts.connections);
    const rssInflight = rssKiB(sandbox.child.pid);
    log(`${sandbox.name}: RSS ${mib(rssEmpty)} before placing, ${mib(rssInflight)} with ${fmt(opts.inflightOrders)} orders`);
    // They must still be in flight: the first change falls due an hour after placing, on a real clock.
    const pending = await request(`${sandbox.url}/sandbox/orders?status=pending&limit=1`, 'GET');
    if (pending.status !== 200) throw new BenchError(`${sandbox.name}: GET /sandbox/orders answered ${pending.status} ${pending.body.slice(0, 300)}`);
    const stillPending = (JSON.parse(pending.body) as { data: unknown[] }).data.length;
    if (stillPending === 0) throw new BenchError(`${sandbox.name}: no order is pending after placing; the orders are not in flight`);
    // The empty sandbox gets the same history under the same key, then a reset drops it, so the
    // two differ only in the orders held, not in what their JIT and heap have been through.
    await createOrders(empty, opts.inflightOrders, opts.connections);
    const reset = await request(`${empty.url}/sandbox/reset`, 'POST', '{}');
    if (reset.status !== 200) throw new BenchError(`${empty.name}: POST /sandbox/reset answered ${reset.status} ${reset.body.slice(0, 300)}`);
    log(`${empty.name}: ${fmt(opts.inflightOrders)} orders placed and dropped again with POST /sandbox/reset`);
    const [baselineGet, emptyGet, inflightGet] = await alternate([baseline, empty, sandbox], GET_ENDPOINT, opts);
    const vsEmpty = inflightGet!.requestsPerSecond / emptyGet!.requestsPerSecond;
    const vsBaseline = inflightGet!.requestsPerSecond / baselineGet!.requestsPerSecond;
    return {
      orders: opts.inflightOrders,
      placing,
      inflight: inflightGet!,
      empty: emptyGet!,
      baseline: baselineGet!,
      vsEmpty: { ratio: vsEmpty, target: TARGETS.inflightVsEmpty, pass: vsEmpty >= TARGETS.inflightVsEmpty },
      vsBaseline: { ratio: vsBaseline, target: TARGETS.inflightVsBaseline, pass: vsBaseline >= TARGETS.inflightVsBaseline },
      rssKiB: {
        ...(rssEmpty === undefined ? {} : { empty: rssEmpty }),
        ...(rssInflight === undefined ? {} : { inflight: rssInflight }),
      },
      stillPending,
    };
  } finally {
    await Promise.all(started.map((server) => stopServer(server.child)));
  }
}

interface DeliveryRun {
  get: Measurement;
  /** Orders delivered (and webhooks received) when the GET measurement ended, then after waiting. */
  deliveredAtEnd: number;
  delivered: number;
  webhooks?: { expected: number; receivedAtEnd: number; received: number; byType: Record<string, number> };
}

/**
 * A fresh sandbox at a day per second: warm up the GET, place the orders, then measure the GET
 * at once, while they move to delivered (about 4 s); then wait (bounded) for them and their webhooks.
 */
async function deliveryRun(opts: Options, withEndpoint: boolean): Promise<DeliveryRun> {
  const label = withEndpoint ? 'sandbox (endpoint)' : 'sandbox (no endpoint)';
  const sandbox = await startServer(label, sandboxArgs(opts, '--time-scale', String(WEBHOOK_TIME_SCALE)));
  log(`${label} listening on ${sandbox.url} (--time-scale ${WEBHOOK_TIME_SCALE})`);
  let receiver: Receiver | undefined;
  try {
    if (withEndpoint) {
      receiver = await startReceiver();
      const body = JSON.stringify({ url: receiver.url, events: WEBHOOK_EVENTS });
      const created = await request(`${sandbox.url}/sandbox/webhook-endpoints`, 'POST', body);
      if (created.status !== 201) throw new BenchError(`${label}: POST /sandbox/webhook-endpoints answered ${created.status} ${created.body.slice(0, 300)}`);
      log(`${label}: endpoint ${(JSON.parse(created.body) as { id?: string }).id} registered for ${receiver.url}`);
    }
    await sanityCheck(sandbox); // places one order, which moves (and sends its webhooks) with the rest
    if (opts.warmup > 0) {
      log(`${label} ${GET_ENDPOINT.label}: warm-up ${opts.warmup} s`);
      assertClean(await fire(sandbox, GET_ENDPOINT, opts.warmup, opts.connections), `${label} ${GET_ENDPOINT.label} (warm-up)`);
    }
    await placeOrders(sandbox, opts.webhookOrders, opts.connections);
    const get = await measure(sandbox, GET_ENDPOINT, { ...opts, warmup: 0 });
    const orders = opts.webhookOrders + 1; // the sanity check's order too
    const expected = orders * WEBHOOK_EVENTS.length;
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    const deliveredAtEnd = await countDelivered(sandbox, orders);
    const receivedAtEnd = (await receiver?.counts())?.total ?? 0;
    let delivered = deliveredAtEnd;
    let counts = await receiver?.counts();
    while ((delivered < orders || (counts !== undefined && counts.total < expected)) && performance.now() < deadline) {
      await sleep(250);
      delivered = await countDelivered(sandbox, orders);
      counts = await receiver?.counts();
    }
    log(`${label}: when the measurement ended ${deliveredAtEnd} of ${orders} orders were delivered`
      + `${receiver === undefined ? '' : ` and ${receivedAtEnd} of ${expected} webhooks received`}`);
    log(`${label}: ${delivered} of ${orders} orders delivered${counts === undefined ? '' : `; ${counts.total} of ${expected} webhooks received`}`);
    return {
      get,
      deliveredAtEnd,
      delivered,
      ...(counts === undefined ? {} : { webhooks: { expected, receivedAtEnd, received: counts.total, byType: counts.byType } }),
    };
  } finally {
    await stopServer(sandbox.child);
    await receiver?.close();
  }
}

interface WebhooksResult {
  orders: number;
  /** The median round of each (its whole run), each GET carrying every round's req/s. */
  without: DeliveryRun;
  with: DeliveryRun;
  ratio: number;
  target: number;
  pass: boolean;
}

/** `rounds` pairs of fresh runs, without and with an endpoint, the order reversed every other round. */
async function webhooks(opts: Options): Promise<WebhooksResult> {
  log(`scenario webhooks: GET while ${fmt(opts.webhookOrders)} orders move to delivered, with an endpoint and without, ${opts.rounds} round(s)`);
  const runs = { without: [] as DeliveryRun[], with: [] as DeliveryRun[] };
  for (let round = 0; round < opts.rounds; round++) {
    log(`webhooks round ${round + 1}/${opts.rounds}`);
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const withEndpoint of order) (withEndpoint ? runs.with : runs.without).push(await deliveryRun(opts, withEndpoint));
  }
  const medianRun = (list: DeliveryRun[]): DeliveryRun => {
    const median = medianRound(list.map((run) => run.get));
    const run = list.find((candidate) => candidate.get.requestsPerSecond === median.requestsPerSecond)!;
    return { ...run, get: median };
  };
  const without = medianRun(runs.without);
  const withEndpoint = medianRun(runs.with);
  const ratio = withEndpoint.get.requestsPerSecond / without.get.requestsPerSecond;
  return { orders: opts.webhookOrders, without, with: withEndpoint, ratio, target: TARGETS.webhooks, pass: ratio >= TARGETS.webhooks };
}

interface FairnessResult {
  orders: number;
  advanceMs: number;
  reads: number;
  readMs: { median: number; worst: number; target: number; pass: boolean };
  filterMs: { median: number; worst: number; target: number; pass: boolean };
}

/**
 * One key (the busy one) holds --fairness-orders orders on a virtual clock. A status filter that
 * matches none of them is timed; then its clock moves 5 days, which applies every order's three
 * changes, while another key reads the published order over and over: its slowest read is how
 * long one key can hold up the others.
 */
async function fairness(opts: Options): Promise<FairnessResult> {
  log(`scenario fairness: another key's reads during a 5-day advance over ${fmt(opts.fairnessOrders)} orders, and a status filter matching none`);
  const sandbox = await startServer('sandbox (fairness)', sandboxArgs(opts, '--clock', 'virtual'));
  try {
    await sanityCheck(sandbox);
    await createOrders(sandbox, opts.fairnessOrders, opts.connections);
    const filterSamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const page = await request(`${sandbox.url}/sandbox/orders?status=delivered&limit=20`, 'GET');
      filterSamples.push(performance.now() - started);
      if (page.status !== 200) throw new BenchError(`${sandbox.name}: GET /sandbox/orders answered ${page.status} ${page.body.slice(0, 300)}`);
    }
    await request(`${sandbox.url}/orders/${ORDER_ID}`, 'GET', undefined, 'bench_other');
    const readSamples: number[] = [];
    let advancing = true;
    const started = performance.now();
    const advance = request(`${sandbox.url}/sandbox/clock/advance`, 'POST', '{"seconds":432000}').then((answer) => {
      advancing = false;
      if (answer.status !== 200) throw new BenchError(`${sandbox.name}: POST /sandbox/clock/advance answered ${answer.status} ${answer.body.slice(0, 300)}`);
      return performance.now() - started;
    });
    while (advancing) {
      const readStarted = performance.now();
      const read = await request(`${sandbox.url}/orders/${ORDER_ID}`, 'GET', undefined, 'bench_other');
      if (read.status !== 200) throw new BenchError(`${sandbox.name}: the other key's GET answered ${read.status} ${read.body.slice(0, 300)}`);
      readSamples.push(performance.now() - readStarted);
    }
    const advanceMs = await advance;
    const delivered = await countDelivered(sandbox, opts.fairnessOrders);
    log(`${sandbox.name}: the advance took ${fmt(advanceMs)} ms and delivered ${fmt(delivered)} orders; the other key read ${readSamples.length} times meanwhile`);
    const worst = (samples: number[]) => Math.max(...samples);
    return {
      orders: opts.fairnessOrders,
      advanceMs,
      reads: readSamples.length,
      readMs: { median: median(readSamples), worst: worst(readSamples), target: TARGETS.fairReadMs, pass: worst(readSamples) < TARGETS.fairReadMs },
      filterMs: { median: median(filterSamples), worst: worst(filterSamples), target: TARGETS.fairFilterMs, pass: median(filterSamples) < TARGETS.fairFilterMs },
    };
  } finally {
    await stopServer(sandbox.child);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const compact = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : fmt(n));

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (!existsSync(opts.cli)) throw new BenchError(`${opts.cli} is missing; run through \`npm run bench\`, which builds it first`);
  pin(opts.pin);
  const started = performance.now();
  log(`node ${process.version}; ${pinning === undefined ? 'unpinned' : `servers on CPU ${pinning.serverCpu}, harness on CPU ${pinning.harnessCpu}`}; ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s per measurement; `
    + `scenarios: ${[...opts.only].join(', ')}`);
  const busyBefore = await machineBusy(500);
  if (busyBefore !== undefined && busyBefore > 0.15) {
    log(`warning: the machine was ${(busyBefore * 100).toFixed(0)}% busy before the bench started; other work skews these figures`);
  }

  const basicResult = opts.only.has('basic') ? await basic(opts) : undefined;
  const inflightResult = opts.only.has('inflight') ? await inflight(opts) : undefined;
  const webhooksResult = opts.only.has('webhooks') ? await webhooks(opts) : undefined;
  const fairnessResult = opts.only.has('fairness') ? await fairness(opts) : undefined;
  const seconds = (performance.now() - started) / 1000;
  log(`done in ${seconds.toFixed(1)} s`);

  const passes = [
    ...(basicResult === undefined ? [] : [...basicResult.rows.map((row) => row.pass), basicResult.logged.pass, basicResult.startupPass]),
    ...(inflightResult === undefined ? [] : [inflightResult.vsEmpty.pass, inflightResult.vsBaseline.pass]),
    ...(webhooksResult === undefined ? [] : [webhooksResult.pass]),
    ...(fairnessResult === undefined ? [] : [fairnessResult.readMs.pass, fairnessResult.filterMs.pass]),
  ];
  const allPass = passes.every(Boolean);

  if (opts.json) {
    console.log(JSON.stringify({
      node: process.version,
      settings: {
        sandbox: opts.cli, durationSeconds: opts.duration, warmupSeconds: opts.warmup, connections: opts.connections, rounds: opts.rounds,
        scenarios: [...opts.only], inflightOrders: opts.inflightOrders, webhookOrders: opts.webhookOrders, fairnessOrders: opts.fairnessOrders,
        pinning: pinning ?? null,
      },
      machineBusyBefore: busyBefore ?? null,
      throughput: basicResult === undefined ? null : Object.fromEntries(basicResult.rows.map((row) => [row.endpoint.key, {
        request: row.endpoint.label,
        sandbox: row.sandbox,
        baseline: row.baseline,
        ratio: row.ratio,
        target: row.target,
        pass: row.pass,
      }])),
      logged: basicResult?.logged ?? null,
      startup: basicResult === undefined ? null : {
        samplesMs: basicResult.startupSamples, medianMs: basicResult.startupMs, targetMs: TARGETS.startupMs, pass: basicResult.startupPass,
      },
      inflight: inflightResult ?? null,
      webhooks: webhooksResult ?? null,
      fairness: fairnessResult ?? null,
      totalSeconds: seconds,
      pass: allPass,
    }, null, 2));
    return;
  }

  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  const rows: string[][] = [['', 'sandbox', 'reference', 'ratio', 'target', 'result']];
  const misses: string[] = [];
  if (basicResult !== undefined) {
    for (const row of basicResult.rows) {
      rows.push([`${row.endpoint.label} (req/s) vs baseline`, fmt(row.sandbox.requestsPerSecond), fmt(row.baseline.requestsPerSecond),
        `${row.ratio.toFixed(2)}x`, `>= ${row.target}x`, verdict(row.pass)]);
      if (!row.pass) misses.push(`${row.endpoint.label} at ${row.ratio.toFixed(2)}x of the baseline (target ${row.target}x)`);
    }
    const { logged } = basicResult;
    const unlogged = basicResult.rows.find((row) => row.endpoint === GET_ENDPOINT)!.sandbox;
    rows.push([`${GET_ENDPOINT.label} with --log pretty vs ${opts.log === 'off' ? 'without' : `--log ${opts.log}`}`, fmt(logged.get.requestsPerSecond), fmt(unlogged.requestsPerSecond),
      `${logged.ratio.toFixed(2)}x`, `>= ${logged.target}x`, verdict(logged.pass)]);
    if (!logged.pass) misses.push(`${GET_ENDPOINT.label} with the pretty log at ${logged.ratio.toFixed(2)}x of the same without (target ${logged.target}x)`);
    rows.push([`start-up (median of ${STARTUP_RUNS})`, `${basicResult.startupMs.toFixed(0)} ms`, '-', '-', `< ${TARGETS.startupMs} ms`, verdict(basicResult.startupPass)]);
    if (!basicResult.startupPass) misses.push(`start-up at ${basicResult.startupMs.toFixed(0)} ms (target < ${TARGETS.startupMs} ms)`);
  }
  if (inflightResult !== undefined) {
    const n = compact(inflightResult.orders);
    const { inflight: got, empty, baseline, vsEmpty, vsBaseline } = inflightResult;
    rows.push([`GET, ${n} orders in flight (req/s) vs empty sandbox`, fmt(got.requestsPerSecond), fmt(empty.requestsPerSecond),
      `${vsEmpty.ratio.toFixed(2)}x`, `>= ${vsEmpty.target}x`, verdict(vsEmpty.pass)]);
    rows.push([`GET, ${n} orders in flight (req/s) vs baseline`, fmt(got.requestsPerSecond), fmt(baseline.requestsPerSecond),
      `${vsBaseline.ratio.toFixed(2)}x`, `>= ${vsBaseline.target}x`, verdict(vsBaseline.pass)]);
    if (!vsEmpty.pass) misses.push(`GET with ${n} orders in flight at ${vsEmpty.ratio.toFixed(2)}x of the empty sandbox (target ${vsEmpty.target}x)`);
    if (!vsBaseline.pass) misses.push(`GET with ${n} orders in flight at ${vsBaseline.ratio.toFixed(2)}x of the baseline (target ${vsBaseline.target}x)`);
  }
  if (webhooksResult !== undefined) {
    const n = compact(webhooksResult.orders);
    rows.push([`GET, ${n} orders delivering (req/s) endpoint vs none`, fmt(webhooksResult.with.get.requestsPerSecond),
      fmt(webhooksResult.without.get.requestsPerSecond), `${webhooksResult.ratio.toFixed(2)}x`, `>= ${webhooksResult.target}x`, verdict(webhooksResult.pass)]);
    if (!webhooksResult.pass) misses.push(`GET while ${n} orders deliver at ${webhooksResult.ratio.toFixed(2)}x with an endpoint (target ${webhooksResult.target}x)`);
  }
  if (fairnessResult !== undefined) {
    const n = compact(fairnessResult.orders);
    const { readMs, filterMs } = fairnessResult;
    rows.push([`another key's slowest GET, 5-day advance of ${n} (ms)`, readMs.worst.toFixed(0), '-', '-', `< ${readMs.target} ms`, verdict(readMs.pass)]);
    rows.push([`status filter matching none of ${n}, median (ms)`, filterMs.median.toFixed(1), '-', '-', `< ${filterMs.target} ms`, verdict(filterMs.pass)]);
    if (!readMs.pass) misses.push(`another key's slowest read during the advance at ${readMs.worst.toFixed(0)} ms (target < ${readMs.target} ms)`);
    if (!filterMs.pass) misses.push(`a status filter over ${n} orders at ${filterMs.median.toFixed(1)} ms (target < ${filterMs.target} ms)`);
  }

  console.log('');
  console.log(table(rows));
  console.log('');
  const rounds = (m: Measurement) => (m.roundsRequestsPerSecond ?? [m.requestsPerSecond]).map(fmt).join(', ');
  if (basicResult !== undefined) {
    for (const row of basicResult.rows) console.log(`rounds, ${row.endpoint.label} (req/s): sandbox ${rounds(row.sandbox)}; baseline ${rounds(row.baseline)}`);
    console.log(`rounds, ${GET_ENDPOINT.label} with --log pretty (req/s): ${rounds(basicResult.logged.get)}`);
  }
  if (inflightResult !== undefined) {
    const { inflight: got, empty, baseline } = inflightResult;
    console.log(`rounds, GET in flight (req/s): in flight ${rounds(got)}; empty ${rounds(empty)}; baseline ${rounds(baseline)}`);
  }
  if (webhooksResult !== undefined) {
    console.log(`rounds, GET while delivering (req/s): endpoint ${rounds(webhooksResult.with.get)}; none ${rounds(webhooksResult.without.get)}`);
  }
  if (basicResult !== undefined) {
    console.log(`start-up samples: ${basicResult.startupSamples.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    for (const row of basicResult.rows) {
      const sandboxCpu = row.sandbox.serverCpuMicrosPerRequest;
      const baselineCpu = row.baseline.serverCpuMicrosPerRequest;
      if (sandboxCpu === undefined || baselineCpu === undefined) continue;
      console.log(`server CPU per request, ${row.endpoint.label}: sandbox ${sandboxCpu.toFixed(0)} µs, baseline ${baselineCpu.toFixed(0)} µs `
        + `(baseline/sandbox ${(baselineCpu / sandboxCpu).toFixed(2)}x; informational)`);
    }
  }
  if (inflightResult !== undefined) {
    const { rssKiB: rss, placing, inflight: got, empty } = inflightResult;
    console.log(`in flight: ${fmt(inflightResult.orders)} orders placed in ${placing.seconds.toFixed(1)} s (${fmt(placing.perSecond)}/s) under one key, `
      + `still pending during the GET (real clock, 1 s sweep); sandbox RSS ${mib(rss.empty)} before, ${mib(rss.inflight)} after (informational)`);
    const cpu = (m: Measurement) => (m.serverCpuMicrosPerRequest === undefined ? 'n/a' : `${m.serverCpuMicrosPerRequest.toFixed(0)} µs`);
    console.log(`in flight: server CPU per GET ${cpu(got)} in flight, ${cpu(empty)} empty (informational)`);
  }
  if (webhooksResult !== undefined) {
    const { with: w, without: wo } = webhooksResult;
    const orders = webhooksResult.orders + 1;
    const byType = w.webhooks === undefined ? '' : Object.entries(w.webhooks.byType).map(([type, count]) => `${type} ${count}`).join(', ');
    const cpu = (m: Measurement) => (m.serverCpuMicrosPerRequest === undefined ? 'n/a' : `${m.serverCpuMicrosPerRequest.toFixed(0)} µs`);
    console.log(`webhooks: ${w.webhooks?.received ?? 0} of ${w.webhooks?.expected ?? 0} received (${byType || 'none'}), `
      + `${w.webhooks?.receivedAtEnd ?? 0} by the end of the GET measurement; --time-scale ${WEBHOOK_TIME_SCALE}, GET measured from right after placing`);
    console.log(`webhooks: orders delivered by the end of the GET measurement ${w.deliveredAtEnd}/${orders} with the endpoint, `
      + `${wo.deliveredAtEnd}/${orders} without (then ${w.delivered} and ${wo.delivered}; the sanity check's order included); `
      + `server CPU per GET ${cpu(w.get)} with, ${cpu(wo.get)} without (includes the lifecycle and webhook work; informational)`);
    if (w.get.serverCpuMs !== undefined && wo.get.serverCpuMs !== undefined) {
      console.log(`webhooks: sandbox CPU over the median round ${fmt(w.get.serverCpuMs)} ms with, ${fmt(wo.get.serverCpuMs)} ms without; `
        + `the kernel took the CPU from it ${fmt(w.get.serverPreemptions ?? 0)} times with, ${fmt(wo.get.serverPreemptions ?? 0)} without (informational)`);
    }
    if (w.webhooks !== undefined && w.webhooks.received < w.webhooks.expected) {
      console.log(`warning: ${w.webhooks.expected - w.webhooks.received} webhooks had not arrived ${SETTLE_TIMEOUT_MS / 1000} s after the measurement`);
    }
    if (w.delivered < orders || wo.delivered < orders) {
      console.log(`warning: not every order was delivered ${SETTLE_TIMEOUT_MS / 1000} s after the measurement`);
    }
  }
  if (fairnessResult !== undefined) {
    console.log(`fairness: the 5-day advance over ${fmt(fairnessResult.orders)} orders took ${fmt(fairnessResult.advanceMs)} ms; the other key read `
      + `${fairnessResult.reads} times meanwhile, median ${fairnessResult.readMs.median.toFixed(1)} ms; the status filter's slowest of 20 ${fairnessResult.filterMs.worst.toFixed(1)} ms`);
  }
  console.log(`baseline: bare Hono + Map (bench/baseline-server.ts); sandbox: node ${path.relative(ROOT, opts.cli)} --rate-limit off --max-orders 100000000; `
    + `${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s a round, ${opts.rounds} round(s) in alternating order, `
    + `medians compared; ${pinning === undefined ? 'unpinned' : `servers on CPU ${pinning.serverCpu}, load generator and receiver on CPU ${pinning.harnessCpu}`}; `
    + `${HOST}; ${seconds.toFixed(0)} s in all`);
  if (busyBefore !== undefined && busyBefore > 0.15) {
    console.log(`warning: the machine was ${(busyBefore * 100).toFixed(0)}% busy before the bench started; other work skews these figures`);
  }
  console.log(allPass ? 'All targets met.' : `MISSED: ${misses.join('; ')}`);
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

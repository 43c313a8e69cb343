/**
 * `npm run bench:abuse`: replays the attacks of issue 13 against one build of the sandbox and
 * prints a figure for each, so a build from before the fixes can be put beside the current one:
 *
 *   tsx bench/abuse.ts [--cli PATH]      (default dist/cli.js, built first by the npm script)
 *
 *   1 bigorders   200 orders under one key, each with a 900 KB street1: 201s, 422s, RSS growth
 *   2 endpoints   100 webhook endpoints registered under one key: how many accepted
 *   3 year10000   a 10-year clock advance from 9999-12-01: status and the `now` answered
 *   4 ssrf        endpoints at http://169.254.169.254/ and http://user:pw@127.0.0.1:9/: statuses
 *   5 deepjson    POST /orders with a body nested 100,000 deep: status and time
 *   6 fairness    another key's slowest GET while one key advances 5 days over 20,000 orders
 *   7 slowheader  a header block never finished, on a raw socket: time to an answer or close (15 s cap)
 *
 * Each attack gets a fresh child process (rate limits off) on a free port, loopback only, and
 * every loop is bounded. Progress goes to stderr, the figures to stdout. Does not import src/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HOST, listeningUrl, request as freshRequest, stopServer, type Answer } from './processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ORDER_ID = 'ord_1234567890';
const READY_TIMEOUT_MS = 15_000;
const SLOW_HEADER_CAP_MS = 15_000;

const { values } = parseArgs({ options: { cli: { type: 'string', default: DEFAULT_CLI } } });
const cli = values.cli!;

interface Server { url: string; child: ChildProcess }
interface Figure { attack: string; figure: string }

const children = new Set<ChildProcess>();
const log = (message: string) => process.stderr.write(`${message}\n`);

function startServer(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [cli, '--port', '0', '--rate-limit', 'off', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return listeningUrl(child, 'sandbox', READY_TIMEOUT_MS).then((url) => ({ url, child }));
}

async function withServer<T>(args: string[], work: (server: Server) => Promise<T>): Promise<T> {
  const server = await startServer(args);
  try { return await work(server); } finally { await stopServer(server.child); }
}

/** One request on a fresh connection; status 0 when the connection fails (with the reason as body). */
function request(url: string, method: 'GET' | 'POST', body?: string, apiKey = 'abuse'): Promise<Answer> {
  return freshRequest(url, method, body, apiKey).catch((error: Error) => ({ status: 0, body: error.message }));
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? NaN : Number(match[1]) / 1024;
}

function orderBody(street1 = '123 Main St'): string {
  return JSON.stringify({
    patientId: 'pat_1234567890',
    prescriptionId: 'rx_9876543210',
    shippingAddress: { street1, city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
  });
}

function countStatuses(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${n}x ${status === 0 ? 'conn error' : status}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// The attacks.

async function bigOrders(): Promise<string> {
  return withServer([], async ({ url, child }) => {
    const body = orderBody('x'.repeat(900_000));
    const before = rssMiB(child.pid!);
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await request(`${url}/orders`, 'POST', body)).status);
    const growth = rssMiB(child.pid!) - before;
    const created = statuses.filter((s) => s === 201).length;
    const refused = statuses.filter((s) => s === 422).length;
    return `${created} x 201, ${refused} x 422 (${countStatuses(statuses)}); RSS +${growth.toFixed(0)} MiB`;
  });
}

async function manyEndpoints(): Promise<string> {
  return withServer([], async ({ url }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const body = JSON.stringify({ url: `http://127.0.0.1:9/hook/${i}` });
      statuses.push((await request(`${url}/sandbox/webhook-endpoints`, 'POST', body)).status);
    }
    return `${statuses.filter((s) => s === 201).length} of 100 accepted (${countStatuses(statuses)})`;
  });
}

async function yearTenThousand(): Promise<string> {
  const describe = (answer: Answer): string => {
    if (answer.status !== 200) return `${answer.status}${answer.status === 0 ? ` (${answer.body})` : ''}`;
    const now = (JSON.parse(answer.body) as { now?: unknown }).now;
    return `200, now ${String(now)}`;
  };
  try {
    return await withServer(['--clock', 'virtual', '--start-time', '9999-12-01T00:00:00Z'], async ({ url }) =>
      `from 9999-12-01, +10 years: ${describe(await request(`${url}/sandbox/clock/advance`, 'POST', '{"seconds":315360000}'))}`);
  } catch (error) {
    log(`--start-time 9999-12-01 refused (${(error as Error).message.split('\n')[0]}); advancing 10 years at a time`);
  }
  return withServer(['--clock', 'virtual'], async ({ url }) => {
    let last: Answer = { status: 0, body: '' };
    for (let i = 1; i <= 900; i++) {
      last = await request(`${url}/sandbox/clock/advance`, 'POST', '{"seconds":315360000}');
      const now = last.status === 200 ? String((JSON.parse(last.body) as { now?: unknown }).now) : '';
      if (last.status !== 200 || !/^\d{4}-/.test(now)) return `advance ${i} of 10 years: ${describe(last)}`;
    }
    return `900 advances of 10 years, last ${describe(last)}`;
  });
}

async function ssrfEndpoints(): Promise<string> {
  return withServer([], async ({ url }) => {
    const post = (target: string) => request(`${url}/sandbox/webhook-endpoints`, 'POST', JSON.stringify({ url: target }));
    const metadata = await post('http://169.254.169.254/');
    const credentials = await post('http://user:pw@127.0.0.1:9/');
    return `169.254.169.254: ${metadata.status}; user:pw@127.0.0.1: ${credentials.status}`;
  });
}

async function deepJson(): Promise<string> {
  return withServer([], async ({ url, child }) => {
    const depth = 100_000;
    const body = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const started = performance.now();
    const answer = await request(`${url}/orders`, 'POST', body);
    const ms = performance.now() - started;
    const alive = (await request(`${url}/orders/${ORDER_ID}`, 'GET')).status === 200;
    const code = /"code":"([a-z_]+)"/.exec(answer.body)?.[1];
    return `${answer.status === 0 ? `conn error (${answer.body})` : answer.status}${code === undefined ? '' : ` ${code}`} in ${ms.toFixed(0)} ms`
      + `${alive ? '' : `; server down (${child.exitCode ?? child.signalCode ?? 'not answering'})`}`;
  });
}

async function fairness(): Promise<string> {
  const orders = 20_000;
  return withServer(['--clock', 'virtual'], async ({ url }) => {
    const body = orderBody();
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < orders) {
        next++;
        if ((await request(`${url}/orders`, 'POST', body)).status !== 201) failed++;
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    log(`fairness: ${orders - failed} orders placed (${failed} refused)`);
    await request(`${url}/orders/${ORDER_ID}`, 'GET', undefined, 'other');
    let advancing = true;
    const started = performance.now();
    const advance = request(`${url}/sandbox/clock/advance`, 'POST', '{"seconds":432000}').then((answer) => {
      advancing = false;
      return { status: answer.status, ms: performance.now() - started };
    });
    const samples: number[] = [];
    while (advancing) {
      const readStarted = performance.now();
      await request(`${url}/orders/${ORDER_ID}`, 'GET', undefined, 'other');
      samples.push(performance.now() - readStarted);
    }
    const done = await advance;
    return `other key's slowest GET ${Math.max(...samples).toFixed(0)} ms of ${samples.length} (advance ${done.status} in ${done.ms.toFixed(0)} ms)`;
  });
}

async function slowHeader(): Promise<string> {
  return withServer([], ({ url }) => new Promise<string>((resolve) => {
    const port = Number(new URL(url).port);
    const socket = net.connect(port, HOST);
    const started = performance.now();
    let received = '';
    let settled = false;
    const finish = (how: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(cap);
      socket.destroy();
      const statusLine = received.split('\r\n')[0] ?? '';
      resolve(`${how} after ${((performance.now() - started) / 1000).toFixed(1)} s: ${statusLine === '' ? 'nothing' : statusLine}`);
    };
    const cap = setTimeout(() => finish('still open'), SLOW_HEADER_CAP_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`GET /orders/${ORDER_ID} HTTP/1.1\r\nHost: ${HOST}\r\nX-API-Key: abuse\r\n`));
    socket.on('data', (chunk: string) => { received += chunk; });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('reset'));
  }));
}

const ATTACKS: Array<[string, () => Promise<string>]> = [
  ['1 200 orders with a 900 KB street1', bigOrders],
  ['2 100 webhook endpoints, one key', manyEndpoints],
  ['3 clock advance past year 9999', yearTenThousand],
  ['4 metadata / credentials endpoint', ssrfEndpoints],
  ['5 body nested 100,000 deep', deepJson],
  ['6 5-day advance over 20k orders', fairness],
  ['7 header block never finished', slowHeader],
];

async function main(): Promise<void> {
  log(`abuse: ${cli}`);
  const figures: Figure[] = [];
  for (const [attack, run] of ATTACKS) {
    let figure: string;
    try { figure = await run(); } catch (error) { figure = `failed: ${(error as Error).message.split('\n')[0]}`; }
    console.log(`${attack}: ${figure}`);
    figures.push({ attack, figure });
  }
  const width = Math.max(...figures.map((f) => f.attack.length));
  console.log(`\n${'attack'.padEnd(width)} | figure`);
  console.log(`${'-'.repeat(width)}-|-${'-'.repeat(40)}`);
  for (const { attack, figure } of figures) console.log(`${attack.padEnd(width)} | ${figure}`);
}

const cleanup = () => { for (const child of children) child.kill('SIGKILL'); };
process.on('SIGINT', () => { cleanup(); process.exit(130); });
main().catch((error: unknown) => { log(String(error)); process.exitCode = 1; }).finally(cleanup);

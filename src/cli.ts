#!/usr/bin/env node
import { serve } from '@hono/node-server';
import { parseArgs } from 'node:util';
import { createSandbox, type SandboxOptions } from './sandbox.ts';
import { FAULT_KINDS, type FaultKind } from './http/faults.ts';
import { FixtureError, loadFixtures, type Fixtures } from './fixtures/fixtures.ts';
import { TEST_DATA_TIME } from './domain/test-data.ts';

const HELP = `nimbus-sandbox: a local sandbox of the Nimbus OS API 1.0.0

Usage: nimbus-sandbox [options]

Options:
  --port N                    Port to listen on (default: $PORT or 4010; 0 picks a free one)
  --host HOST                 Address to bind (default: 127.0.0.1)
  --rate-limit on|off         The published sandbox rate limits, per API key (default: on)
  --api-keys K1,K2            Accept only these API keys (default: any non-empty key)
  --require-idempotency-key   Refuse POSTs that carry no Idempotency-Key
  --strict                    Refuse unknown patient and prescription ids, as production does
  --clock real|virtual        real: every API key's clock runs with real time (default);
                              virtual: it stands still until POST /sandbox/clock/advance
  --time-scale N              Run real clocks N times faster (default: 1)
  --start-time ISO            Where every clock starts (default: now), e.g. 2025-02-03T15:00:00Z
  --timeline P,S,D            Seconds an order waits before processing, shipped and delivered
                              (default: 3600,86400,259200)
  --fault-rate R              Share (0 to 1) of API requests that fail on purpose (default: 0)
  --faults K1,K2              Faults --fault-rate draws from: latency, 429, 500, 503, drop,
                              lost-response (default: all but latency)
  --fixtures FILE             Load demo data (e.g. fixtures/demo.json) under its API key (sk_test_demo)
  --seed N                    Reproducible ids, tracking numbers and secrets, from a stream per API key;
                              with --clock virtual, clocks start at 2025-02-03T15:00:00Z unless --start-time says otherwise
  --webhook-url URL           Send every API key's published events to URL (http or https)
  --webhook-secret SECRET     Sign them with SECRET (default: random; GET /sandbox/webhook-endpoints shows it)
  --max-tenants N             Most API keys held at once (default: 10000); beyond it a new key takes
                              the place of one unused for 10 minutes, or is refused with a 503
  -h, --help                  Show this help

Every API key is its own tenant and starts with the published test data.`;

function fail(message: string): never {
  console.error(`nimbus-sandbox: ${message}\nRun with --help to see the options.`);
  process.exit(2);
}

function parsePort(text: string, source: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) fail(`${source} must be a port number from 0 to 65535, not "${text}"`);
  return Number(text);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'rate-limit': { type: 'string', default: 'on' },
      'api-keys': { type: 'string' },
      'require-idempotency-key': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      clock: { type: 'string', default: 'real' },
      'time-scale': { type: 'string', default: '1' },
      'start-time': { type: 'string' },
      timeline: { type: 'string' },
      'fault-rate': { type: 'string', default: '0' },
      faults: { type: 'string' },
      'webhook-url': { type: 'string' },
      fixtures: { type: 'string' },
      seed: { type: 'string' },
      'webhook-secret': { type: 'string' },
      'max-tenants': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const port = values.port !== undefined
  ? parsePort(values.port, '--port')
  : process.env.PORT ? parsePort(process.env.PORT, 'PORT') : 4010;
if (values['rate-limit'] !== 'on' && values['rate-limit'] !== 'off') fail(`--rate-limit takes on or off, not "${values['rate-limit']}"`);
const apiKeys = values['api-keys']?.split(',').map((key) => key.trim()).filter(Boolean);
if (apiKeys !== undefined && apiKeys.length === 0) fail('--api-keys needs at least one key');

if (values.clock !== 'real' && values.clock !== 'virtual') fail(`--clock takes real or virtual, not "${values.clock}"`);
const timeScale = Number(values['time-scale']);
if (!(timeScale > 0) || !Number.isFinite(timeScale)) fail(`--time-scale must be a number above 0, not "${values['time-scale']}"`);
const startTime = values['start-time'] === undefined ? undefined : Date.parse(values['start-time']);
if (startTime !== undefined && !(startTime >= Date.parse(TEST_DATA_TIME))) {
  fail(`--start-time must be a date-time from ${TEST_DATA_TIME} on (when the published test data was made), such as 2025-02-03T15:00:00Z, not "${values['start-time']}"`);
}
let timeline: SandboxOptions['timeline'];
if (values.timeline !== undefined) {
  const seconds = values.timeline.split(',').map(Number);
  if (seconds.length !== 3 || seconds.some((value) => !(value >= 0) || !Number.isFinite(value))) {
    fail(`--timeline takes three numbers of seconds (processing,shipped,delivered), not "${values.timeline}"`);
  }
  timeline = { processing: seconds[0]! * 1000, shipped: seconds[1]! * 1000, delivered: seconds[2]! * 1000 };
}
const faultRate = Number(values['fault-rate']);
if (!(faultRate >= 0 && faultRate <= 1)) fail(`--fault-rate must be a number from 0 to 1, not "${values['fault-rate']}"`);
const faultKinds = values.faults?.split(',').map((kind) => kind.trim());
const unknownFault = faultKinds?.find((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
if (unknownFault !== undefined) fail(`--faults: unknown fault "${unknownFault}"; use ${FAULT_KINDS.join(', ')}`);

const webhookUrl = values['webhook-url'];
if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl)) fail(`--webhook-url must be an http or https URL, not "${webhookUrl}"`);
if (values['webhook-secret'] !== undefined && webhookUrl === undefined) fail('--webhook-secret needs --webhook-url');

const maxTenants = values['max-tenants'] === undefined ? undefined : Number(values['max-tenants']);
if (maxTenants !== undefined && !(Number.isInteger(maxTenants) && maxTenants >= 1)) fail(`--max-tenants must be a whole number from 1 up, not "${values['max-tenants']}"`);

const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) fail(`--seed must be a whole number, not "${values.seed}"`);
let fixtures: Fixtures | undefined;
if (values.fixtures !== undefined) {
  try {
    fixtures = loadFixtures(values.fixtures);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    fail(`the fixture file is not usable: ${error.message}. Regenerate it with: npm run fixtures -- --seed 42 --out ${values.fixtures}`);
  }
}

const options: SandboxOptions = {
  rateLimit: values['rate-limit'] === 'off' ? false : {},
  requireIdempotencyKey: values['require-idempotency-key'],
  strictReferences: values.strict,
  clockMode: values.clock,
  timeScale,
  faultRate,
  ...(startTime === undefined ? {} : { startTime }),
  ...(timeline === undefined ? {} : { timeline }),
  ...(faultKinds === undefined ? {} : { faultKinds: faultKinds as FaultKind[] }),
  ...(apiKeys === undefined ? {} : { apiKeys }),
  ...(webhookUrl === undefined ? {} : { webhookUrl }),
  ...(seed === undefined ? {} : { seed }),
  ...(maxTenants === undefined ? {} : { maxTenants }),
  ...(fixtures === undefined ? {} : { fixtures }),
  ...(values['webhook-secret'] === undefined ? {} : { webhookSecret: values['webhook-secret'] }),
};
const sandbox = createSandbox(options);

const server = serve({ fetch: sandbox.fetch, port, hostname: values.host }, (info) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  console.log(`Nimbus OS sandbox listening on http://${host}:${info.port}`);
  if (fixtures !== undefined) {
    console.log(`Demo data: ${fixtures.orders.length} orders and ${fixtures.refills.length} refills under X-API-Key: ${fixtures.apiKey}`);
  }
});

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') fail(`port ${port} on ${values.host} is in use; pass --port with another port, or --port 0 for any free one`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot listen on host ${values.host}; pass --host with an address of this machine`);
  fail(error.message);
});

function shutdown(signal: string): void {
  console.log(`Received ${signal}; shutting down`);
  sandbox.close();
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open; drop them rather than hang.
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

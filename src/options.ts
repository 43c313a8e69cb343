/**
 * Every setting of the sandbox, in one table: the `createSandbox` option, its command-line flag,
 * the help line, how a flag's text becomes the option's value, and the check of that value.
 * The CLI's parsing, its --help and `createSandbox`'s validation all come from it, so the same
 * mistake gets the same message whichever way it was made.
 */
import { parseArgs } from 'node:util';
import { LATEST_TIME } from './clock.ts';
import { demoFixturesPath } from './package-info.ts';
import { TEST_DATA_TIME } from './domain/test-data.ts';
import { DEFAULT_MAX_ORDERS } from './domain/orders.ts';
import { DEFAULT_MAX_REFILLS } from './domain/refills.ts';
import { DEFAULT_MAX_BODY_BYTES } from './http/body.ts';
import { DEFAULT_LATENCY_MS, FAULT_KINDS, type FaultKind } from './http/faults.ts';
import { LOG_FORMATS } from './log/entry.ts';
import { CONNECTIONS_CHECK_MS, DEFAULT_SERVER_SETTINGS, type ServerSettings } from './http/node-server.ts';
import { DEFAULT_MAX_IDEMPOTENCY_KEYS } from './http/idempotency.ts';
import { SANDBOX_RATE_LIMITS } from './http/rate-limit.ts';
import { DEFAULT_MAX_TENANTS, DEFAULT_TENANT_IDLE_MS } from './tenancy/tenancy.ts';
import { destinationRefusal } from './webhooks/destination-policy.ts';
import { DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_ENDPOINTS, DEFAULT_WEBHOOK_TIMEOUT_MS } from './webhooks/webhook-service.ts';
// Type-only: sandbox.ts imports this module, and the import is erased.
import type { SandboxOptions } from './sandbox.ts';

/** A setting refused, by `createSandbox` or on the command line. */
export class OptionError extends RangeError {
  override name = 'OptionError';
}

/** The command line's settings that are not `createSandbox` options: the listening server's. */
export interface CliOnlySettings extends ServerSettings {
  port: number;
  host: string;
  fixturesPath: string;
  help: boolean;
  version: boolean;
}

type Everything = Required<SandboxOptions> & CliOnlySettings;

export interface OptionRow<T> {
  /** The flag, without its dashes; absent for library-only options. */
  flag?: string;
  short?: string;
  /**
   * The flag's value placeholder (`N`, `URL`); absent for a switch, which sets `true`. In brackets
   * (`[ORIGINS]`) the value is optional: the flag alone reads as the empty text.
   */
  value?: string;
  /** The help line (wrapped when printed). */
  help?: string;
  /** The default, as --help shows it. */
  default?: string;
  /** A flag's text as the option's value; text it cannot read is returned as is, for `check` to refuse. */
  parse?: (text: string) => T | string;
  /**
   * Undefined if `value` is acceptable; otherwise what is wrong, as the rest of a sentence after
   * the option's name ("must be a number above 0, not -1"). `options` are all the settings, for
   * checks across options.
   */
  check: (value: unknown, options: Record<string, unknown>) => string | undefined;
  /** Set on settings of the command line only. */
  cliOnly?: true;
}

export type OptionTable = { [K in keyof Everything]: OptionRow<Everything[K]> & (K extends keyof CliOnlySettings ? { cliOnly: true } : { cliOnly?: never }) };

/** How a refused value is shown: strings quoted, ms-since-epoch as given, structures as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined || value === null) return String(value);
  let text: string;
  try {
    // JSON would write NaN and Infinity as null and drop functions; show them as they are.
    const bare = (shown: string) => `\u0000${shown}\u0000`;
    text = (JSON.stringify(value, (_, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item)) return bare(String(item));
      if (typeof item === 'function') return bare('a function');
      return item;
    }) ?? String(value)).replace(/"\\u0000(.*?)\\u0000"/g, '$1');
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const must = (ok: boolean, requirement: string, value: unknown): string | undefined => ok ? undefined : `must be ${requirement}, not ${show(value)}`;

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
/** A number written in decimal, or the text itself. */
const readNumber = (text: string): number | string => NUMBER_TEXT.test(text.trim()) ? Number(text) : text;
const list = (text: string): string[] => text.split(',').map((item) => item.trim()).filter((item) => item !== '');

/** A number option: the same requirement on the command line and in code. */
function numberRow(requirement: string, ok: (value: number) => boolean): Pick<OptionRow<number>, 'parse' | 'check'> {
  return { parse: readNumber, check: (value) => must(typeof value === 'number' && ok(value), requirement, value) };
}
const wholeFrom = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: number) => Number.isInteger(value) && value >= min && value <= max;

/** A browser's Origin: scheme, host and port, as `new URL(…).origin` writes it. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { origin, protocol } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && origin === value;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const functionRow = (what: string): Pick<OptionRow<never>, 'check'> => ({ check: (value) => must(typeof value === 'function', `a function (${what})`, value) });
const objectRow = (what: string): Pick<OptionRow<never>, 'check'> => ({ check: (value) => must(isObject(value), `an object (${what})`, value) });

/** Steps given in seconds on the command line, as ms in code; all of `keys` but the optional ones needed. */
function stepsRow<K extends string>(keys: readonly K[], required: number, requirement: string): Pick<OptionRow<Partial<Record<K, number>>>, 'parse' | 'check'> {
  return {
    parse: (text) => {
      const parts = text.split(',').map((part) => part.trim());
      if (parts.length < required || parts.length > keys.length || parts.some((part) => !NUMBER_TEXT.test(part))) return text;
      return Object.fromEntries(parts.map((part, index) => [keys[index]!, Number(part) * 1000])) as Partial<Record<K, number>>;
    },
    check: (value) => must(
      isObject(value) && Object.entries(value).every(([key, ms]) => (keys as readonly string[]).includes(key) && (ms === undefined || (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0))),
      requirement,
      value,
    ),
  };
}

const SEEDED_START = '2025-02-03T15:00:00Z';
const EARLIEST_START = Date.parse(TEST_DATA_TIME);
/** setTimeout and setInterval take no longer delay than this (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest latency fault faults.ts allows. */
const MAX_FAULT_LATENCY_MS = 30_000;
const RATE_LIMIT_GROUPS = Object.keys(SANDBOX_RATE_LIMITS);

/** The table. Its order is --help's order. */
export const OPTIONS: OptionTable = {
  port: {
    cliOnly: true, flag: 'port', value: 'N', default: '$PORT or 4010',
    help: 'Port to listen on; 0 picks a free one',
    parse: (text) => /^\d+$/.test(text) ? Number(text) : text,
    check: (value) => must(typeof value === 'number' && wholeFrom(0, 65535)(value), 'a port number from 0 to 65535', value),
  },
  host: {
    cliOnly: true, flag: 'host', value: 'HOST', default: '127.0.0.1',
    help: 'Address to bind',
    parse: (text) => text,
    check: (value) => must(typeof value === 'string' && value.trim() !== '', 'an address of this machine', value),
  },
  rateLimit: {
    flag: 'rate-limit', value: 'on|off', default: 'on',
    help: `The published sandbox rate limits, per API key, or your own per minute such as orders=${SANDBOX_RATE_LIMITS.orders},refills=${SANDBOX_RATE_LIMITS.refills},webhooks=${SANDBOX_RATE_LIMITS.webhooks} (groups left out keep theirs)`,
    parse: (text) => {
      if (text === 'off') return false;
      if (text === 'on') return {};
      const limits: Record<string, number | string> = {};
      for (const part of text.split(',')) {
        const [group, count] = part.split('=', 2).map((side) => side.trim());
        if (!group || count === undefined) return text;
        limits[group] = readNumber(count);
      }
      return limits;
    },
    check: (value) => must(
      value === false || (isObject(value) && Object.entries(value).every(([group, count]) => RATE_LIMIT_GROUPS.includes(group) && (count === undefined || (typeof count === 'number' && wholeFrom(1)(count))))),
      `false, or requests per minute for ${RATE_LIMIT_GROUPS.join(', ')}, each a whole number from 1 up (on the command line: on, off or orders=N,refills=N,webhooks=N)`,
      value,
    ),
  },
  apiKeys: {
    flag: 'api-keys', value: 'K1,K2', default: 'any non-empty key',
    help: 'Accept only these API keys',
    parse: list,
    check: (value) => must(
      Array.isArray(value) && value.length > 0 && value.every((key) => typeof key === 'string' && key !== ''),
      'a list of one or more keys, none empty',
      value,
    ),
  },
  requireIdempotencyKey: {
    flag: 'require-idempotency-key',
    help: 'Refuse POSTs that carry no Idempotency-Key',
    check: (value) => must(typeof value === 'boolean', 'true or false', value),
  },
  strictReferences: {
    flag: 'strict',
    help: 'Refuse unknown patient and prescription ids, as production does',
    check: (value) => must(typeof value === 'boolean', 'true or false', value),
  },
  clockMode: {
    flag: 'clock', value: 'real|virtual', default: 'real',
    help: 'real: every API key\'s clock runs with real time; virtual: it stands still until POST /sandbox/clock/advance',
    parse: (text) => text,
    check: (value) => must(value === 'real' || value === 'virtual', 'real or virtual', value),
  },
  timeScale: {
    flag: 'time-scale', value: 'N', default: '1',
    help: 'Run real clocks N times faster',
    ...numberRow('a number above 0', (value) => Number.isFinite(value) && value > 0),
  },
  startTime: {
    flag: 'start-time', value: 'ISO', default: 'now',
    help: `Where every clock starts, e.g. ${SEEDED_START}`,
    parse: (text) => {
      const at = Date.parse(text);
      return /^\d{4}-\d\d-\d\d/.test(text.trim()) && Number.isFinite(at) ? at : text;
    },
    check: (value) => {
      if (typeof value === 'number' && Number.isFinite(value) && value >= EARLIEST_START && value <= LATEST_TIME) return undefined;
      const given = typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? new Date(value).toISOString() : show(value);
      return `must be a date-time (ms since the epoch in code) from ${TEST_DATA_TIME} (when the published test data was made) to 9999-12-31T23:59:59Z, such as ${SEEDED_START}, not ${given}`;
    },
  },
  timeline: {
    flag: 'timeline', value: 'P,S,D', default: '3600,86400,259200',
    help: 'Seconds an order waits before processing, shipped and delivered',
    ...stepsRow(['processing', 'shipped', 'delivered'] as const, 3,
      'ms before processing, shipped and delivered, each a number from 0 up (on the command line: three numbers of seconds, P,S,D)'),
  },
  refillTimeline: {
    flag: 'refill-timeline', value: 'A,P,S[,R]', default: '14400,14400,86400,172800',
    help: 'Seconds a refill waits before approved, processing and shipped, and how long a manual review takes',
    ...stepsRow(['approved', 'processing', 'shipped', 'review'] as const, 3,
      'ms before approved, processing and shipped, and for review, each a number from 0 up (on the command line: three or four numbers of seconds, A,P,S[,R])'),
  },
  sweepIntervalMs: {
    flag: 'sweep-interval', value: 'MS', default: '1000',
    help: 'How often (real ms) due status changes are applied, and their webhooks sent, without a read; 0 turns it off',
    ...numberRow(`a whole number of ms from 0 to ${MAX_TIMER_MS}`, wholeFrom(0, MAX_TIMER_MS)),
  },
  faultRate: {
    flag: 'fault-rate', value: 'R', default: '0',
    help: 'Share (0 to 1) of API requests that fail on purpose',
    ...numberRow('a number from 0 to 1', (value) => value >= 0 && value <= 1),
  },
  faultKinds: {
    flag: 'faults', value: 'K1,K2', default: 'all but latency',
    help: `Faults --fault-rate draws from: ${FAULT_KINDS.join(', ')}`,
    parse: (text) => list(text) as FaultKind[],
    check: (value) => {
      if (!Array.isArray(value)) return must(false, `a list of faults from ${FAULT_KINDS.join(', ')}`, value);
      const unknown = value.find((kind) => !(FAULT_KINDS as readonly unknown[]).includes(kind));
      return unknown === undefined ? undefined : `must be a list of faults from ${FAULT_KINDS.join(', ')}, not ${show(value)} (${show(unknown)} is not one)`;
    },
  },
  faultLatencyMs: {
    flag: 'fault-latency', value: 'MS', default: String(DEFAULT_LATENCY_MS),
    help: `How long the latency fault waits when the request names no time, in ms from 0 to ${MAX_FAULT_LATENCY_MS}`,
    ...numberRow(`a whole number of ms from 0 to ${MAX_FAULT_LATENCY_MS}`, wholeFrom(0, MAX_FAULT_LATENCY_MS)),
  },
  delay: functionRow('ms => Promise<void>'),
  fixturesPath: {
    cliOnly: true, flag: 'fixtures', value: 'FILE',
    help: 'Load a fixture file\'s data under its API key; `demo` for the bundled demo data (nimbus-sandbox/fixtures/demo.json, under sk_test_demo)',
    parse: (text) => (text === 'demo' ? demoFixturesPath() : text),
    check: (value) => must(typeof value === 'string' && value !== '', 'a file name', value),
  },
  fixtures: objectRow('from loadFixtures or parseFixtures'),
  seed: {
    flag: 'seed', value: 'N',
    help: `Reproducible ids, tracking numbers and secrets, from a stream per API key; with --clock virtual, clocks start at ${SEEDED_START} unless --start-time says otherwise`,
    ...numberRow('a whole number from 0 to 4294967295', wholeFrom(0, 2 ** 32 - 1)),
  },
  ids: objectRow('an IdGenerator'),
  webhookUrl: {
    flag: 'webhook-url', value: 'URL',
    help: 'Send every API key\'s published events to URL (http or https)',
    parse: (text) => text,
    check: (value, options) => {
      let ok = false;
      if (typeof value === 'string' && /^https?:\/\/\S+$/i.test(value)) {
        try {
          ok = ['http:', 'https:'].includes(new URL(value).protocol);
        } catch {
          ok = false;
        }
      }
      if (!ok) return must(false, 'an http or https URL', value);
      // The same destinations the API refuses (see destination-policy.ts).
      switch (destinationRefusal(value as string, options.webhookDenyPrivate === true)) {
        case 'credentials': return must(false, 'an http or https URL without credentials (user:password@)', value);
        case 'link-local': return must(false, 'an http or https URL whose host is not link-local (169.254.0.0/16 or fe80::/10)', value);
        case 'private': return must(false, 'an http or https URL whose host is not loopback or private, with webhookDenyPrivate (--webhook-deny-private)', value);
        default: return undefined;
      }
    },
  },
  webhookSecret: {
    flag: 'webhook-secret', value: 'SECRET', default: 'random; GET /sandbox/webhook-endpoints shows it',
    help: 'Sign them with SECRET (shared by every API key, so never shown to one: GET /sandbox/webhook-endpoints lists it as whsec_redacted)',
    parse: (text) => text,
    check: (value, options) => {
      if (typeof value !== 'string' || value === '') return must(false, 'a non-empty string', value);
      return options.webhookUrl === undefined ? `needs webhookUrl (--webhook-url): it signs the events sent there` : undefined;
    },
  },
  webhookDenyPrivate: {
    flag: 'webhook-deny-private',
    help: 'Refuse webhook destinations on loopback, localhost and private ranges, also when a name resolves to them, and keep delivery errors generic: for a sandbox others can reach (credentials in URLs and link-local hosts are always refused)',
    check: (value) => must(typeof value === 'boolean', 'true or false', value),
  },
  webhookTimeoutMs: {
    flag: 'webhook-timeout', value: 'MS', default: String(DEFAULT_WEBHOOK_TIMEOUT_MS),
    help: 'Real time a webhook receiver has to answer, in ms from 1 to 60000',
    ...numberRow('a whole number of ms from 1 to 60000', wholeFrom(1, 60_000)),
  },
  webhookSender: functionRow('a WebhookSender'),
  maxTenants: {
    flag: 'max-tenants', value: 'N', default: String(DEFAULT_MAX_TENANTS),
    help: 'Most API keys held at once; beyond it a new key takes the place of one unused for --tenant-idle, or is refused with a 503',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  tenantIdleMs: {
    flag: 'tenant-idle', value: 'MS', default: `${DEFAULT_TENANT_IDLE_MS}, 10 minutes`,
    help: 'How long (real ms) an API key must go unused before a new key may take its place',
    ...numberRow('a whole number of ms from 0 up', wholeFrom(0)),
  },
  maxBodyBytes: {
    flag: 'max-body-bytes', value: 'N', default: `${DEFAULT_MAX_BODY_BYTES}, 1 MiB`,
    help: 'Largest request body accepted, in bytes; a larger one gets a 413',
    ...numberRow('a whole number of bytes from 1 up', wholeFrom(1)),
  },
  maxOrders: {
    flag: 'max-orders', value: 'N', default: String(DEFAULT_MAX_ORDERS),
    help: 'Most orders one API key holds (the published test order included); one more is a 409 limit_reached until POST /sandbox/reset',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  maxRefills: {
    flag: 'max-refills', value: 'N', default: String(DEFAULT_MAX_REFILLS),
    help: 'Most refills one API key holds; one more is a 409 limit_reached until POST /sandbox/reset',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  maxEndpoints: {
    flag: 'max-endpoints', value: 'N', default: String(DEFAULT_MAX_ENDPOINTS),
    help: 'Most webhook endpoints one API key has (--webhook-url\'s included); one more is a 409 limit_reached',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  maxDeliveries: {
    flag: 'max-deliveries', value: 'N', default: String(DEFAULT_MAX_DELIVERIES),
    help: 'Delivery attempts kept per webhook endpoint, the newest; older ones are dropped',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  maxIdempotencyKeys: {
    flag: 'max-idempotency-keys', value: 'N', default: String(DEFAULT_MAX_IDEMPOTENCY_KEYS),
    help: 'Idempotency keys one API key keeps (each at most 24 h); past it the oldest finished ones are dropped early, and a retry with one runs afresh',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  log: {
    flag: 'log', value: 'pretty|json|off', default: 'pretty; createSandbox: off',
    help: 'One line per request and per webhook attempt on stdout: pretty for people, json for one JSON object a line, or off',
    parse: (text) => text as 'pretty',
    check: (value) => must(
      (LOG_FORMATS as readonly unknown[]).includes(value) || typeof value === 'function',
      `one of ${LOG_FORMATS.join(', ')}, or a function taking each entry`,
      value,
    ),
  },
  cors: {
    flag: 'cors', value: '[ORIGINS]', default: 'off',
    help: 'Let browser front-ends call the sandbox: preflights answered without a key, every answer readable; any origin, or only ORIGINS such as http://localhost:3000,https://app.example',
    parse: (text) => (text.trim() === '' ? true : list(text)),
    check: (value) => must(
      typeof value === 'boolean' || (Array.isArray(value) && value.length > 0 && value.every(isOrigin)),
      'true (any origin), false, or a list of origins such as http://localhost:3000 (scheme, host and port, no path)',
      value,
    ),
  },
  assetsDir: { check: (value) => must(typeof value === 'string' && value !== '', 'a directory path', value) },
  store: objectRow('a Store, such as a MemoryStore'),
  clock: objectRow('a Clock, with now()'),
  realClock: objectRow('a Clock, with now()'),
  onUnexpectedError: functionRow('(error) => void'),
  headersTimeoutMs: {
    cliOnly: true, flag: 'headers-timeout', value: 'MS', default: String(DEFAULT_SERVER_SETTINGS.headersTimeoutMs),
    help: `Real time a client has to send a request's headers (checked every ${CONNECTIONS_CHECK_MS / 1000} s); a slower one gets a 400 and the connection is closed`,
    ...numberRow(`a whole number of ms from 1 to ${MAX_TIMER_MS}`, wholeFrom(1, MAX_TIMER_MS)),
  },
  requestTimeoutMs: {
    cliOnly: true, flag: 'request-timeout', value: 'MS', default: String(DEFAULT_SERVER_SETTINGS.requestTimeoutMs),
    help: 'Real time a client has to send a whole request, body included, from --headers-timeout up; it does not bound the answer, so injected latency (up to 30 s) is not cut short',
    parse: readNumber,
    check: (value, options) => {
      const problem = must(typeof value === 'number' && wholeFrom(1, MAX_TIMER_MS)(value), `a whole number of ms from 1 to ${MAX_TIMER_MS}`, value);
      if (problem !== undefined) return problem;
      const headers = options.headersTimeoutMs;
      return typeof headers === 'number' && headers > (value as number) ? `must be at least --headers-timeout (${headers}), not ${show(value)}` : undefined;
    },
  },
  keepAliveTimeoutMs: {
    cliOnly: true, flag: 'keep-alive-timeout', value: 'MS', default: String(DEFAULT_SERVER_SETTINGS.keepAliveTimeoutMs),
    help: 'Real time an idle keep-alive connection stays open',
    ...numberRow(`a whole number of ms from 1 to ${MAX_TIMER_MS}`, wholeFrom(1, MAX_TIMER_MS)),
  },
  maxConnections: {
    cliOnly: true, flag: 'max-connections', value: 'N', default: String(DEFAULT_SERVER_SETTINGS.maxConnections),
    help: 'Most connections open at once; past it a new connection is closed unanswered',
    ...numberRow('a whole number from 1 up', wholeFrom(1)),
  },
  shutdownTimeoutMs: {
    cliOnly: true, flag: 'shutdown-timeout', value: 'MS', default: String(DEFAULT_SERVER_SETTINGS.shutdownTimeoutMs),
    help: 'On SIGTERM or SIGINT, real time requests in flight have to finish before their connections are closed; a second signal exits at once',
    ...numberRow(`a whole number of ms from 0 to ${MAX_TIMER_MS}`, wholeFrom(0, MAX_TIMER_MS)),
  },
  version: {
    cliOnly: true, flag: 'version',
    help: 'Print the version and exit',
    check: (value) => must(typeof value === 'boolean', 'true or false', value),
  },
  help: {
    cliOnly: true, flag: 'help', short: 'h',
    help: 'Show this help',
    check: (value) => must(typeof value === 'boolean', 'true or false', value),
  },
};

type Name = keyof OptionTable;
const NAMES = Object.keys(OPTIONS) as Name[];
const rowOf = (name: Name) => OPTIONS[name] as OptionRow<unknown>;
/** The keys `createSandbox` takes. */
export const LIBRARY_OPTIONS = NAMES.filter((name) => !rowOf(name).cliOnly) as (keyof SandboxOptions)[];

/** How a message names a setting: both spellings when it has both. */
export function optionLabel(name: Name): string {
  const row = rowOf(name);
  if (row.flag === undefined) return name;
  if (row.cliOnly) return `--${row.flag}`;
  return `${name} (--${row.flag})`;
}

/** What is wrong with one setting's value, as a whole message, or undefined. */
export function optionProblem(name: Name, value: unknown, options: Record<string, unknown> = {}): string | undefined {
  const problem = rowOf(name).check(value, options);
  return problem === undefined ? undefined : `${optionLabel(name)} ${problem}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `given`, if one is close enough to be a likely typo. */
export function closest(given: string, known: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  const sameCase = known.find((name) => name.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(given.length / 4)) ? best : undefined;
}

/** Throws an OptionError for the first unknown key or bad value of `createSandbox`'s options. */
export function validateSandboxOptions(options: SandboxOptions): void {
  if (!isObject(options)) throw new OptionError(`createSandbox takes an object of options, not ${show(options)}`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if ((LIBRARY_OPTIONS as string[]).includes(key)) continue;
    const cliOnly = (NAMES as string[]).includes(key) ? rowOf(key as Name) : undefined;
    if (cliOnly !== undefined) throw new OptionError(`${key} is not an option of createSandbox, only of the command line (--${cliOnly.flag})`);
    const guess = closest(key, LIBRARY_OPTIONS);
    throw new OptionError(`${key} is not an option of createSandbox${guess === undefined ? `; the options are ${LIBRARY_OPTIONS.join(', ')}` : `; did you mean ${guess}?`}`);
  }
  for (const name of LIBRARY_OPTIONS) {
    const value = given[name];
    if (value === undefined) continue;
    const problem = optionProblem(name, value, given);
    if (problem !== undefined) throw new OptionError(problem);
  }
}

const HELP_INDENT = 30;
const HELP_WIDTH = 104;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The --help text: every flag in the table, in its order. */
export function helpText(): string {
  const lines: string[] = [];
  for (const name of NAMES) {
    const row = rowOf(name);
    if (row.flag === undefined) continue;
    const flag = `${row.short === undefined ? '' : `-${row.short}, `}--${row.flag}${row.value === undefined ? '' : ` ${row.value}`}`;
    const text = `${row.help ?? ''}${row.default === undefined ? '' : ` (default: ${row.default})`}`;
    const [first = '', ...rest] = wrap(text, HELP_WIDTH - HELP_INDENT);
    lines.push(`  ${flag.padEnd(HELP_INDENT - 3)} ${first}`.trimEnd(), ...rest.map((line) => `${' '.repeat(HELP_INDENT)}${line}`));
  }
  return `nimbus-sandbox: a local sandbox of the Nimbus OS API 1.0.0

Usage: nimbus-sandbox [options]
       nimbus-sandbox contract --help         certify an implementation of the API (the contract kit)
       nimbus-sandbox record --help           record your suite's traffic to the real Nimbus sandbox
       nimbus-sandbox replay --help           compare an implementation with a recorded transcript
       nimbus-sandbox coverage --help         which answers, statuses and events a key's tests have met
       nimbus-sandbox check-receiver --help   check your webhook receiver the way Nimbus treats it

Options:
${lines.join('\n')}

Every API key is its own tenant and starts with the published test data.`;
}

export type CommandLine =
  | { help: true }
  | { help: false; version: true }
  | { help: false; version?: false; port: number; host: string; fixturesPath?: string; server: ServerSettings; options: SandboxOptions };

const FLAGGED = NAMES.filter((name) => rowOf(name).flag !== undefined);
const byFlag = new Map(FLAGGED.map((name) => [rowOf(name).flag!, name]));

const takesOptionalValue = (row: OptionRow<unknown>) => row.value?.startsWith('[') === true;

/**
 * What parseArgs cannot read, written so it can: `--flag -1` as `--flag=-1` for flags that take a
 * value, so a negative number reaches the table's check (and its message) instead of parseArgs's
 * "argument is ambiguous"; a flag whose value is optional, given alone, as `--flag=`.
 */
function joinValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const next = argv[index + 1];
    const name = arg.startsWith('--') ? byFlag.get(arg.slice(2)) : undefined;
    const row = name === undefined ? undefined : rowOf(name);
    if (row?.value !== undefined && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else if (row !== undefined && takesOptionalValue(row) && (next === undefined || next.startsWith('-'))) {
      joined.push(`${arg}=`);
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** Reads the command line (and $PORT) into the server's settings and `createSandbox`'s options. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinValues(argv),
      options: Object.fromEntries(FLAGGED.map((name) => {
        const row = rowOf(name);
        return [row.flag!, { type: row.value === undefined ? 'boolean' : 'string', ...(row.short === undefined ? {} : { short: row.short }) }];
      })) as Record<string, { type: 'string' | 'boolean'; short?: string }>,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']+)'/.exec(message)?.[1] ?? '';
      const guess = given.startsWith('--') ? closest(given.slice(2), [...byFlag.keys()]) : undefined;
      throw new OptionError(`unknown option ${given}${guess === undefined ? '' : `; did you mean --${guess}?`}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new OptionError(`${/'([^']*)'/.exec(message)?.[1] ?? 'an argument'} is not an option; every setting is a --flag`);
    }
    const missing = /^Option '(-\S+)(?:, (--\S+))? <value>' argument missing/.exec(message);
    if (missing !== null) {
      const name = byFlag.get((missing[2] ?? missing[1]!).replace(/^--/, ''));
      if (name !== undefined) throw new OptionError(`--${rowOf(name).flag} needs a value: --${rowOf(name).flag} ${rowOf(name).value}`);
    }
    throw new OptionError(message);
  }
  if (values.help === true) return { help: true };
  if (values.version === true) return { help: false, version: true };

  const read = (name: Name, text: string | boolean): unknown => {
    const { parse } = rowOf(name);
    return typeof text === 'string' && parse !== undefined ? parse(text) : text;
  };

  const settings: Record<string, unknown> = {};
  for (const name of FLAGGED) {
    const text = values[rowOf(name).flag!];
    if (text !== undefined && name !== 'help' && name !== 'version') settings[name] = read(name, text);
  }
  // A switch sets true; left off, the option stays at its default (false).
  let port: unknown = settings.port;
  let portLabel = optionLabel('port');
  if (port === undefined && env.PORT !== undefined && env.PORT !== '') {
    port = read('port', env.PORT);
    portLabel = '$PORT';
  }
  if (port !== undefined) {
    const problem = rowOf('port').check(port, settings);
    if (problem !== undefined) throw new OptionError(`${portLabel} ${problem}`);
  }
  const host = settings.host ?? '127.0.0.1';
  for (const name of ['host', 'fixturesPath'] as const) {
    if (settings[name] === undefined) continue;
    const problem = optionProblem(name, settings[name], settings);
    if (problem !== undefined) throw new OptionError(problem);
  }
  // The server's settings are checked with the defaults of those not given, which some checks compare.
  const serverNames = Object.keys(DEFAULT_SERVER_SETTINGS) as (keyof ServerSettings)[];
  const server: Record<string, unknown> = { ...DEFAULT_SERVER_SETTINGS };
  for (const name of serverNames) if (settings[name] !== undefined) server[name] = settings[name];
  for (const name of serverNames) {
    const problem = optionProblem(name, server[name], server);
    if (problem !== undefined) throw new OptionError(problem);
  }
  const options: Record<string, unknown> = {};
  for (const name of LIBRARY_OPTIONS) if (settings[name] !== undefined) options[name] = settings[name];
  validateSandboxOptions(options as SandboxOptions);
  return {
    help: false,
    port: (port as number | undefined) ?? 4010,
    host: host as string,
    ...(settings.fixturesPath === undefined ? {} : { fixturesPath: settings.fixturesPath as string }),
    server: server as unknown as ServerSettings,
    options: options as SandboxOptions,
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSandbox, type SandboxOptions } from './sandbox.ts';
import { MemoryStore } from './store/memory-store.ts';
import { DEFAULT_SERVER_SETTINGS } from './http/node-server.ts';
import { helpText, LIBRARY_OPTIONS, OPTIONS, OptionError, parseCommandLine, validateSandboxOptions } from './options.ts';

type LibraryName = keyof SandboxOptions;

/** What createSandbox throws for these options, or undefined if it builds a sandbox. */
function libraryMessage(options: Record<string, unknown>): string | undefined {
  try {
    createSandbox(options as SandboxOptions).close();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    expect(error).toBeInstanceOf(RangeError);
    return (error as Error).message;
  }
}

/** What parseCommandLine throws for this command line, or undefined if it reads it. */
function cliMessage(argv: string[], env: NodeJS.ProcessEnv = {}): string | undefined {
  try {
    parseCommandLine(argv, env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    return (error as Error).message;
  }
}

interface Bad {
  name: LibraryName;
  value: unknown;
  message: string;
  /** The same mistake on the command line, as the flag's text. */
  cli?: string;
}

const AFTER_TEST_DATA = 'from 2025-01-15T16:30:00Z (when the published test data was made) to 9999-12-31T23:59:59Z, such as 2025-02-03T15:00:00Z';
const TIMELINE = 'ms before processing, shipped and delivered, each a number from 0 up (on the command line: three numbers of seconds, P,S,D)';
const REFILL_TIMELINE = 'ms before approved, processing and shipped, and for review, each a number from 0 up (on the command line: three or four numbers of seconds, A,P,S[,R])';
const RATE_LIMIT = 'false, or requests per minute for orders, refills, webhooks, each a whole number from 1 up (on the command line: on, off or orders=N,refills=N,webhooks=N)';
const FAULTS = 'a list of faults from latency, 429, 500, 503, drop, lost-response';

const BAD: Bad[] = [
  { name: 'apiKeys', value: [], cli: ',', message: 'apiKeys (--api-keys) must be a list of one or more keys, none empty, not []' },
  { name: 'apiKeys', value: ['a', ''], message: 'apiKeys (--api-keys) must be a list of one or more keys, none empty, not ["a",""]' },
  { name: 'apiKeys', value: 'a,b', message: 'apiKeys (--api-keys) must be a list of one or more keys, none empty, not "a,b"' },
  { name: 'rateLimit', value: { orders: 0 }, cli: 'orders=0', message: `rateLimit (--rate-limit) must be ${RATE_LIMIT}, not {"orders":0}` },
  { name: 'rateLimit', value: { orders: 2.5 }, cli: 'orders=2.5', message: `rateLimit (--rate-limit) must be ${RATE_LIMIT}, not {"orders":2.5}` },
  { name: 'rateLimit', value: { sandbox: 5 }, cli: 'sandbox=5', message: `rateLimit (--rate-limit) must be ${RATE_LIMIT}, not {"sandbox":5}` },
  { name: 'rateLimit', value: 'maybe', cli: 'maybe', message: `rateLimit (--rate-limit) must be ${RATE_LIMIT}, not "maybe"` },
  { name: 'rateLimit', value: true, message: `rateLimit (--rate-limit) must be ${RATE_LIMIT}, not true` },
  { name: 'clockMode', value: 'virtal', cli: 'virtal', message: 'clockMode (--clock) must be real or virtual, not "virtal"' },
  { name: 'timeScale', value: -1, cli: '-1', message: 'timeScale (--time-scale) must be a number above 0, not -1' },
  { name: 'timeScale', value: 0, cli: '0', message: 'timeScale (--time-scale) must be a number above 0, not 0' },
  { name: 'timeScale', value: Infinity, message: 'timeScale (--time-scale) must be a number above 0, not Infinity' },
  { name: 'timeScale', value: Number.NaN, message: 'timeScale (--time-scale) must be a number above 0, not NaN' },
  { name: 'timeScale', value: 'fast', cli: 'fast', message: 'timeScale (--time-scale) must be a number above 0, not "fast"' },
  { name: 'startTime', value: Date.parse('2025-01-01T00:00:00Z'), cli: '2025-01-01T00:00:00Z', message: `startTime (--start-time) must be a date-time (ms since the epoch in code) ${AFTER_TEST_DATA}, not 2025-01-01T00:00:00.000Z` },
  { name: 'startTime', value: 'tomorrow', cli: 'tomorrow', message: `startTime (--start-time) must be a date-time (ms since the epoch in code) ${AFTER_TEST_DATA}, not "tomorrow"` },
  { name: 'startTime', value: Date.parse('9999-12-31T23:59:59Z') + 1000, message: `startTime (--start-time) must be a date-time (ms since the epoch in code) ${AFTER_TEST_DATA}, not +010000-01-01T00:00:00.000Z` },
  { name: 'startTime', value: Infinity, message: `startTime (--start-time) must be a date-time (ms since the epoch in code) ${AFTER_TEST_DATA}, not Infinity` },
  { name: 'timeline', value: { processing: -1000, shipped: 2000, delivered: 3000 }, cli: '-1,2,3', message: `timeline (--timeline) must be ${TIMELINE}, not {"processing":-1000,"shipped":2000,"delivered":3000}` },
  { name: 'timeline', value: '1,2', cli: '1,2', message: `timeline (--timeline) must be ${TIMELINE}, not "1,2"` },
  { name: 'timeline', value: { processing: 1, shiped: 2 }, message: `timeline (--timeline) must be ${TIMELINE}, not {"processing":1,"shiped":2}` },
  { name: 'timeline', value: { processing: Infinity }, message: `timeline (--timeline) must be ${TIMELINE}, not {"processing":Infinity}` },
  { name: 'timeline', value: { processing: Number.NaN, shipped: () => 1 }, message: `timeline (--timeline) must be ${TIMELINE}, not {"processing":NaN,"shipped":a function}` },
  { name: 'refillTimeline', value: { approved: 1000, processing: 2000, shipped: -3000 }, cli: '1,2,-3', message: `refillTimeline (--refill-timeline) must be ${REFILL_TIMELINE}, not {"approved":1000,"processing":2000,"shipped":-3000}` },
  { name: 'refillTimeline', value: '1,2,3,4,5', cli: '1,2,3,4,5', message: `refillTimeline (--refill-timeline) must be ${REFILL_TIMELINE}, not "1,2,3,4,5"` },
  { name: 'refillTimeline', value: { reveiw: 5 }, message: `refillTimeline (--refill-timeline) must be ${REFILL_TIMELINE}, not {"reveiw":5}` },
  { name: 'sweepIntervalMs', value: -1, cli: '-1', message: 'sweepIntervalMs (--sweep-interval) must be a whole number of ms from 0 to 2147483647, not -1' },
  { name: 'sweepIntervalMs', value: 0.5, cli: '0.5', message: 'sweepIntervalMs (--sweep-interval) must be a whole number of ms from 0 to 2147483647, not 0.5' },
  { name: 'sweepIntervalMs', value: 2 ** 31, cli: String(2 ** 31), message: 'sweepIntervalMs (--sweep-interval) must be a whole number of ms from 0 to 2147483647, not 2147483648' },
  { name: 'faultRate', value: 5, cli: '5', message: 'faultRate (--fault-rate) must be a number from 0 to 1, not 5' },
  { name: 'faultRate', value: -0.1, cli: '-0.1', message: 'faultRate (--fault-rate) must be a number from 0 to 1, not -0.1' },
  { name: 'faultRate', value: Number.NaN, message: 'faultRate (--fault-rate) must be a number from 0 to 1, not NaN' },
  { name: 'faultKinds', value: ['500', 'oops'], cli: '500,oops', message: `faultKinds (--faults) must be ${FAULTS}, not ["500","oops"] ("oops" is not one)` },
  { name: 'faultKinds', value: '500', message: `faultKinds (--faults) must be ${FAULTS}, not "500"` },
  { name: 'faultLatencyMs', value: 30_001, cli: '30001', message: 'faultLatencyMs (--fault-latency) must be a whole number of ms from 0 to 30000, not 30001' },
  { name: 'faultLatencyMs', value: -5, cli: '-5', message: 'faultLatencyMs (--fault-latency) must be a whole number of ms from 0 to 30000, not -5' },
  { name: 'webhookUrl', value: 'ftp://example.com/hook', cli: 'ftp://example.com/hook', message: 'webhookUrl (--webhook-url) must be an http or https URL, not "ftp://example.com/hook"' },
  { name: 'webhookUrl', value: 'localhost:3000', cli: 'localhost:3000', message: 'webhookUrl (--webhook-url) must be an http or https URL, not "localhost:3000"' },
  { name: 'webhookUrl', value: 'http://hook:s3cret@example.com/h', cli: 'http://hook:s3cret@example.com/h', message: 'webhookUrl (--webhook-url) must be an http or https URL without credentials (user:password@), not "http://hook:s3cret@example.com/h"' },
  { name: 'webhookUrl', value: 'http://hook@example.com/h', cli: 'http://hook@example.com/h', message: 'webhookUrl (--webhook-url) must be an http or https URL without credentials (user:password@), not "http://hook@example.com/h"' },
  { name: 'webhookUrl', value: 'http://169.254.169.254/', cli: 'http://169.254.169.254/', message: 'webhookUrl (--webhook-url) must be an http or https URL whose host is not link-local (169.254.0.0/16 or fe80::/10), not "http://169.254.169.254/"' },
  { name: 'webhookUrl', value: 'HTTP://0xA9FEA9FE/', cli: 'HTTP://0xA9FEA9FE/', message: 'webhookUrl (--webhook-url) must be an http or https URL whose host is not link-local (169.254.0.0/16 or fe80::/10), not "HTTP://0xA9FEA9FE/"' },
  { name: 'webhookUrl', value: 'http://[::ffff:169.254.169.254]/', cli: 'http://[::ffff:169.254.169.254]/', message: 'webhookUrl (--webhook-url) must be an http or https URL whose host is not link-local (169.254.0.0/16 or fe80::/10), not "http://[::ffff:169.254.169.254]/"' },
  { name: 'webhookUrl', value: 'http://[fe80::1]/', cli: 'http://[fe80::1]/', message: 'webhookUrl (--webhook-url) must be an http or https URL whose host is not link-local (169.254.0.0/16 or fe80::/10), not "http://[fe80::1]/"' },
  { name: 'webhookDenyPrivate', value: 'yes', message: 'webhookDenyPrivate (--webhook-deny-private) must be true or false, not "yes"' },
  { name: 'webhookSecret', value: 'whsec_1', cli: 'whsec_1', message: 'webhookSecret (--webhook-secret) needs webhookUrl (--webhook-url): it signs the events sent there' },
  { name: 'webhookSecret', value: 42, message: 'webhookSecret (--webhook-secret) must be a non-empty string, not 42' },
  { name: 'webhookTimeoutMs', value: 0, cli: '0', message: 'webhookTimeoutMs (--webhook-timeout) must be a whole number of ms from 1 to 60000, not 0' },
  { name: 'webhookTimeoutMs', value: 60_001, cli: '60001', message: 'webhookTimeoutMs (--webhook-timeout) must be a whole number of ms from 1 to 60000, not 60001' },
  { name: 'seed', value: -1, cli: '-1', message: 'seed (--seed) must be a whole number from 0 to 4294967295, not -1' },
  { name: 'seed', value: 1.5, cli: '1.5', message: 'seed (--seed) must be a whole number from 0 to 4294967295, not 1.5' },
  { name: 'seed', value: 2 ** 32, cli: String(2 ** 32), message: 'seed (--seed) must be a whole number from 0 to 4294967295, not 4294967296' },
  { name: 'maxTenants', value: 0, cli: '0', message: 'maxTenants (--max-tenants) must be a whole number from 1 up, not 0' },
  { name: 'maxTenants', value: 2.5, cli: '2.5', message: 'maxTenants (--max-tenants) must be a whole number from 1 up, not 2.5' },
  { name: 'tenantIdleMs', value: -1, cli: '-1', message: 'tenantIdleMs (--tenant-idle) must be a whole number of ms from 0 up, not -1' },
  { name: 'maxBodyBytes', value: 0, cli: '0', message: 'maxBodyBytes (--max-body-bytes) must be a whole number of bytes from 1 up, not 0' },
  { name: 'maxBodyBytes', value: '1MB', cli: '1MB', message: 'maxBodyBytes (--max-body-bytes) must be a whole number of bytes from 1 up, not "1MB"' },
  { name: 'maxOrders', value: 0, cli: '0', message: 'maxOrders (--max-orders) must be a whole number from 1 up, not 0' },
  { name: 'maxRefills', value: 0, cli: '0', message: 'maxRefills (--max-refills) must be a whole number from 1 up, not 0' },
  { name: 'maxEndpoints', value: 0, cli: '0', message: 'maxEndpoints (--max-endpoints) must be a whole number from 1 up, not 0' },
  { name: 'maxDeliveries', value: 0, cli: '0', message: 'maxDeliveries (--max-deliveries) must be a whole number from 1 up, not 0' },
  { name: 'maxIdempotencyKeys', value: 0, cli: '0', message: 'maxIdempotencyKeys (--max-idempotency-keys) must be a whole number from 1 up, not 0' },
  { name: 'maxOrders', value: 1.5, cli: '1.5', message: 'maxOrders (--max-orders) must be a whole number from 1 up, not 1.5' },
  { name: 'maxDeliveries', value: 'lots', cli: 'lots', message: 'maxDeliveries (--max-deliveries) must be a whole number from 1 up, not "lots"' },
  { name: 'requireIdempotencyKey', value: 'yes', message: 'requireIdempotencyKey (--require-idempotency-key) must be true or false, not "yes"' },
  { name: 'strictReferences', value: 1, message: 'strictReferences (--strict) must be true or false, not 1' },
  { name: 'store', value: 'memory', message: 'store must be an object (a Store, such as a MemoryStore), not "memory"' },
  { name: 'clock', value: () => 0, message: 'clock must be an object (a Clock, with now()), not a function' },
  { name: 'realClock', value: null, message: 'realClock must be an object (a Clock, with now()), not null' },
  { name: 'assetsDir', value: '', message: 'assetsDir must be a directory path, not ""' },
  { name: 'ids', value: 7, message: 'ids must be an object (an IdGenerator), not 7' },
  { name: 'fixtures', value: 'fixtures/demo.json', message: 'fixtures must be an object (from loadFixtures or parseFixtures), not "fixtures/demo.json"' },
  { name: 'delay', value: 100, message: 'delay must be a function (ms => Promise<void>), not 100' },
  { name: 'webhookSender', value: {}, message: 'webhookSender must be a function (a WebhookSender), not {}' },
  { name: 'onUnexpectedError', value: 'log', message: 'onUnexpectedError must be a function ((error) => void), not "log"' },
  { name: 'log', value: 'loud', cli: 'loud', message: 'log (--log) must be one of pretty, json, off, or a function taking each entry, not "loud"' },
  { name: 'cors', value: ['http://localhost:3000/'], cli: 'http://localhost:3000/', message: 'cors (--cors) must be true (any origin), false, or a list of origins such as http://localhost:3000 (scheme, host and port, no path), not ["http://localhost:3000/"]' },
  { name: 'cors', value: ['*'], cli: '*', message: 'cors (--cors) must be true (any origin), false, or a list of origins such as http://localhost:3000 (scheme, host and port, no path), not ["*"]' },
  { name: 'cors', value: [], message: 'cors (--cors) must be true (any origin), false, or a list of origins such as http://localhost:3000 (scheme, host and port, no path), not []' },
];

describe('createSandbox refuses bad options', () => {
  it.each(BAD.map((bad) => [bad.name, bad.value, bad] as const))('%s: %j', (name, value, { message }) => {
    expect(libraryMessage({ [name]: value })).toBe(message);
  });

  it('has a bad case for every option it takes', () => {
    expect(new Set(BAD.map((bad) => bad.name))).toEqual(new Set(LIBRARY_OPTIONS));
  });

  it('refuses an unknown option, naming the one meant', () => {
    expect(libraryMessage({ clockmode: 'virtual' })).toBe('clockmode is not an option of createSandbox; did you mean clockMode?');
    expect(libraryMessage({ timescale: 2 })).toBe('timescale is not an option of createSandbox; did you mean timeScale?');
    expect(libraryMessage({ faultKind: ['500'] })).toBe('faultKind is not an option of createSandbox; did you mean faultKinds?');
    expect(libraryMessage({ colour: 'blue' })).toMatch(/^colour is not an option of createSandbox; the options are rateLimit, apiKeys, .*, onUnexpectedError$/);
    expect(libraryMessage({ port: 4010 })).toBe('port is not an option of createSandbox, only of the command line (--port)');
  });

  it('refuses what is not an object of options', () => {
    expect(() => validateSandboxOptions(null as unknown as SandboxOptions)).toThrow('createSandbox takes an object of options, not null');
  });

  it('takes good options, and options left undefined', () => {
    expect(libraryMessage({})).toBeUndefined();
    expect(libraryMessage({ timeScale: undefined, seed: undefined, clockMode: 'virtual' })).toBeUndefined();
    expect(libraryMessage({
      apiKeys: ['a'], rateLimit: false, clockMode: 'virtual', timeScale: 0.5, startTime: Date.parse('2025-01-15T16:30:00Z'),
      timeline: { processing: 0 }, refillTimeline: { review: 1 }, sweepIntervalMs: 0, faultRate: 1, faultKinds: [],
      faultLatencyMs: 0, webhookUrl: 'https://example.com/hook', webhookSecret: 's', webhookTimeoutMs: 60_000, seed: 0,
      maxTenants: 1, tenantIdleMs: 0, maxBodyBytes: 1,
      maxOrders: 1, maxRefills: 1, maxEndpoints: 1, maxDeliveries: 1, maxIdempotencyKeys: 1, requireIdempotencyKey: true, strictReferences: false,
      store: new MemoryStore(), clock: { now: () => 0 }, delay: async () => undefined, onUnexpectedError: () => undefined,
    })).toBeUndefined();
    expect(libraryMessage({ rateLimit: { orders: 1, refills: 2, webhooks: 3 } })).toBeUndefined();
  });
});

describe('the CLI and createSandbox say the same about the same mistake', () => {
  const withCli = BAD.filter((bad) => bad.cli !== undefined);

  it.each(withCli.map((bad) => [bad.name, bad.cli!, bad] as const))('%s from %s', (name, text, bad) => {
    const row = OPTIONS[name];
    // The flag's text is read into the very value createSandbox was given…
    expect(row.parse!(text)).toEqual(bad.value);
    // …and both refuse it in the same words.
    const fromCli = cliMessage([`--${row.flag!}`, text], {});
    expect(fromCli).toBe(libraryMessage({ [name]: bad.value }));
    expect(fromCli).toBe(bad.message);
  });

  it('checks every flag that takes a value against a mistake', () => {
    const flagged = LIBRARY_OPTIONS.filter((name) => OPTIONS[name].value !== undefined);
    expect(new Set(withCli.map((bad) => bad.name))).toEqual(new Set(flagged));
  });

  it('takes a negative number as --flag=-1 too', () => {
    expect(cliMessage(['--time-scale=-1'])).toBe('timeScale (--time-scale) must be a number above 0, not -1');
  });
});

/** Each flag's text and the option createSandbox gets from it; a switch's text is undefined. */
const ROUND_TRIPS: Partial<Record<LibraryName, [string | undefined, unknown][]>> = {
  apiKeys: [['sk_a, sk_b', ['sk_a', 'sk_b']]],
  rateLimit: [['off', false], ['on', {}], ['orders=5,webhooks=7', { orders: 5, webhooks: 7 }]],
  requireIdempotencyKey: [[undefined, true]],
  strictReferences: [[undefined, true]],
  clockMode: [['virtual', 'virtual'], ['real', 'real']],
  timeScale: [['60', 60], ['0.5', 0.5]],
  startTime: [['2025-02-03T15:00:00Z', Date.parse('2025-02-03T15:00:00Z')]],
  timeline: [['3600,86400,259200', { processing: 3_600_000, shipped: 86_400_000, delivered: 259_200_000 }]],
  refillTimeline: [
    ['1,2,3', { approved: 1000, processing: 2000, shipped: 3000 }],
    ['1,2,3,0.5', { approved: 1000, processing: 2000, shipped: 3000, review: 500 }],
  ],
  sweepIntervalMs: [['0', 0], ['250', 250]],
  faultRate: [['0.25', 0.25], ['1', 1]],
  faultKinds: [['500, 503,latency', ['500', '503', 'latency']]],
  faultLatencyMs: [['30000', 30_000]],
  webhookUrl: [['http://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook']],
  webhookDenyPrivate: [[undefined, true]],
  webhookTimeoutMs: [['1500', 1500]],
  seed: [['7', 7]],
  maxTenants: [['3', 3]],
  tenantIdleMs: [['60000', 60_000]],
  maxBodyBytes: [['2048', 2048]],
  maxOrders: [['3', 3]],
  maxRefills: [['3', 3]],
  maxEndpoints: [['3', 3]],
  maxDeliveries: [['3', 3]],
  maxIdempotencyKeys: [['3', 3]],
  log: [['json', 'json'], ['off', 'off'], ['pretty', 'pretty']],
  cors: [[undefined, true], ['http://localhost:3000, https://app.example:8443', ['http://localhost:3000', 'https://app.example:8443']]],
};

describe('every flag reaches createSandbox', () => {
  const cases = Object.entries(ROUND_TRIPS).flatMap(([name, trips]) => trips!.map(([text, value]) => [name as LibraryName, text, value] as const));

  it.each(cases)('%s from %s', (name, text, value) => {
    const flag = `--${OPTIONS[name].flag!}`;
    const parsed = parseCommandLine(text === undefined ? [flag] : [flag, text], {});
    expect(parsed).toEqual({ help: false, port: 4010, host: '127.0.0.1', server: DEFAULT_SERVER_SETTINGS, options: { [name]: value } });
    expect(libraryMessage({ [name]: value })).toBeUndefined();
  });

  it('webhookSecret with --webhook-url', () => {
    const parsed = parseCommandLine(['--webhook-url', 'https://example.com/h', '--webhook-secret', 'whsec_x'], {});
    expect(parsed).toMatchObject({ options: { webhookUrl: 'https://example.com/h', webhookSecret: 'whsec_x' } });
  });

  it('webhookUrl on loopback or a private range is refused with --webhook-deny-private, taken without', () => {
    const message = (url: string) => `webhookUrl (--webhook-url) must be an http or https URL whose host is not loopback or private, with webhookDenyPrivate (--webhook-deny-private), not ${JSON.stringify(url)}`;
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:3000/h', 'http://[::1]/', 'http://10.0.0.5:6379/', 'http://192.168.1.1/']) {
      expect(cliMessage(['--webhook-url', url, '--webhook-deny-private'])).toBe(message(url));
      expect(libraryMessage({ webhookUrl: url, webhookDenyPrivate: true })).toBe(message(url));
      expect(libraryMessage({ webhookUrl: url, webhookDenyPrivate: false })).toBeUndefined();
    }
    expect(parseCommandLine(['--webhook-url', 'https://example.com/h', '--webhook-deny-private'], {}))
      .toMatchObject({ options: { webhookUrl: 'https://example.com/h', webhookDenyPrivate: true } });
  });

  it('has a round trip for every library option with a flag', () => {
    const flagged = LIBRARY_OPTIONS.filter((name) => OPTIONS[name].flag !== undefined && name !== 'webhookSecret');
    expect(new Set(Object.keys(ROUND_TRIPS))).toEqual(new Set(flagged));
  });
});

describe('a flag whose value is optional (--cors [ORIGINS])', () => {
  it('reads the flag alone, before another flag or at the end, as any origin', () => {
    expect(parseCommandLine(['--cors', '--port', '0'], {})).toMatchObject({ port: 0, options: { cors: true } });
    expect(parseCommandLine(['--port', '0', '--cors'], {})).toMatchObject({ port: 0, options: { cors: true } });
    expect(parseCommandLine(['--cors='], {})).toMatchObject({ options: { cors: true } });
  });

  it('reads the next word as its value, in either spelling', () => {
    expect(parseCommandLine(['--cors', 'http://a.test', '--port', '0'], {})).toMatchObject({ options: { cors: ['http://a.test'] } });
    expect(parseCommandLine(['--cors=http://a.test,http://b.test'], {})).toMatchObject({ options: { cors: ['http://a.test', 'http://b.test'] } });
  });

  it('shows the value as optional in --help', () => {
    expect(helpText()).toMatch(/^ {2}--cors \[ORIGINS\] +Let browser/m);
  });
});

describe('--version', () => {
  it('asks for the version, whatever else is given', () => {
    expect(parseCommandLine(['--version'], {})).toEqual({ help: false, version: true });
    expect(parseCommandLine(['--port', '0', '--version'], {})).toEqual({ help: false, version: true });
  });
});

describe('the command line\'s own settings', () => {
  it('defaults to 127.0.0.1:4010, no fixtures, the default server settings and no options', () => {
    expect(parseCommandLine([], {})).toEqual({ help: false, port: 4010, host: '127.0.0.1', server: DEFAULT_SERVER_SETTINGS, options: {} });
    expect(DEFAULT_SERVER_SETTINGS).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024, shutdownTimeoutMs: 10_000 });
  });

  it('takes the server\'s timeouts, connection cap and shutdown time', () => {
    expect(parseCommandLine(['--headers-timeout', '2000', '--request-timeout', '2000', '--keep-alive-timeout', '1000', '--max-connections', '8', '--shutdown-timeout', '0'], {}))
      .toMatchObject({ server: { headersTimeoutMs: 2000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, maxConnections: 8, shutdownTimeoutMs: 0 }, options: {} });
    expect(parseCommandLine(['--request-timeout', '60000'], {})).toMatchObject({ server: { ...DEFAULT_SERVER_SETTINGS, requestTimeoutMs: 60_000 } });
  });

  it.each([
    [['--headers-timeout', '0'], '--headers-timeout must be a whole number of ms from 1 to 2147483647, not 0'],
    [['--headers-timeout', 'soon'], '--headers-timeout must be a whole number of ms from 1 to 2147483647, not "soon"'],
    [['--request-timeout', '1.5'], '--request-timeout must be a whole number of ms from 1 to 2147483647, not 1.5'],
    [['--request-timeout', '5000'], '--request-timeout must be at least --headers-timeout (10000), not 5000'],
    [['--headers-timeout', '40000'], '--request-timeout must be at least --headers-timeout (40000), not 30000'],
    [['--keep-alive-timeout', '-1'], '--keep-alive-timeout must be a whole number of ms from 1 to 2147483647, not -1'],
    [['--max-connections', '0'], '--max-connections must be a whole number from 1 up, not 0'],
    [['--shutdown-timeout', '-5'], '--shutdown-timeout must be a whole number of ms from 0 to 2147483647, not -5'],
  ])('refuses the server setting %j', (argv, message) => {
    expect(cliMessage(argv)).toBe(message);
  });

  it('refuses the server\'s settings in createSandbox, which has no server', () => {
    expect(libraryMessage({ headersTimeoutMs: 1000 })).toBe('headersTimeoutMs is not an option of createSandbox, only of the command line (--headers-timeout)');
    expect(libraryMessage({ shutdownTimeoutMs: 1000 })).toBe('shutdownTimeoutMs is not an option of createSandbox, only of the command line (--shutdown-timeout)');
  });

  it('takes the port from --port, then $PORT', () => {
    expect(parseCommandLine([], { PORT: '8080' })).toMatchObject({ port: 8080 });
    expect(parseCommandLine(['--port', '0'], { PORT: '8080' })).toMatchObject({ port: 0 });
    expect(cliMessage(['--port', '65536'])).toBe('--port must be a port number from 0 to 65535, not 65536');
    expect(cliMessage(['--port', '-1'])).toBe('--port must be a port number from 0 to 65535, not "-1"');
    expect(cliMessage([], { PORT: 'http' })).toBe('$PORT must be a port number from 0 to 65535, not "http"');
  });

  it('takes --host and --fixtures', () => {
    expect(parseCommandLine(['--host', '::1', '--fixtures', 'fixtures/demo.json'], {}))
      .toEqual({ help: false, port: 4010, host: '::1', fixturesPath: 'fixtures/demo.json', server: DEFAULT_SERVER_SETTINGS, options: {} });
    expect(cliMessage(['--host', ''])).toBe('--host must be an address of this machine, not ""');
  });

  it('reads --fixtures demo as the package\'s own demo file, wherever it is run from', () => {
    const { fixturesPath } = parseCommandLine(['--fixtures', 'demo'], {}) as { fixturesPath: string };
    expect(fixturesPath).toBe(fileURLToPath(new URL('../fixtures/demo.json', import.meta.url)));
    expect(existsSync(fixturesPath)).toBe(true);
  });

  it('answers -h and --help with help alone', () => {
    expect(parseCommandLine(['-h'], {})).toEqual({ help: true });
    expect(parseCommandLine(['--time-scale', '2', '--help'], {})).toEqual({ help: true });
  });

  it('refuses unknown flags, naming the one meant, and positionals', () => {
    expect(cliMessage(['--time-scal', '2'])).toBe('unknown option --time-scal; did you mean --time-scale?');
    expect(cliMessage(['--no-such-option'])).toBe('unknown option --no-such-option');
    expect(cliMessage(['serve'])).toBe('serve is not an option; every setting is a --flag');
    expect(cliMessage(['--port'])).toBe('--port needs a value: --port N');
  });
});

describe('--help', () => {
  const help = helpText();

  it.each(Object.values(OPTIONS).filter((row) => row.flag !== undefined).map((row) => [row.flag!, row] as const))('lists --%s', (_, row) => {
    const usage = `--${row.flag!}${row.value === undefined ? '' : ` ${row.value}`}`;
    expect(help).toMatch(new RegExp(`^  ${row.short === undefined ? '' : `-${row.short}, `}${usage.replace(/[|[\]]/g, '\\$&')} +\\S`, 'm'));
    if (row.default !== undefined) expect(help.replace(/\s+/g, ' ')).toContain(`(default: ${row.default})`);
  });

  it('keeps its heading and closing line', () => {
    expect(help).toMatch(/^nimbus-sandbox: a local sandbox of the Nimbus OS API 1\.0\.0\n\nUsage: nimbus-sandbox \[options\]\n {7}nimbus-sandbox contract --help {9}certify an implementation of the API \(the contract kit\)\n {7}nimbus-sandbox record --help {11}record .*\n {7}nimbus-sandbox replay --help {11}compare an implementation with a recorded transcript\n {7}nimbus-sandbox coverage --help {9}which answers, statuses and events a key's tests have met\n {7}nimbus-sandbox check-receiver --help {3}check your webhook receiver .*\n\nOptions:\n/);
    expect(help).toMatch(/\n\nEvery API key is its own tenant and starts with the published test data\.$/);
  });

  it('fits lines in 104 columns', () => {
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(104);
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## In your own test suite'), readme.indexOf('## Demo data and reproducible runs'));
  const table = section.slice(section.indexOf('| option (flag) | default | meaning |'), section.indexOf('\n\n', section.indexOf('| option (flag)')));
  const paragraph = section.slice(section.indexOf('The CLI takes the same settings'));

  it.each(LIBRARY_OPTIONS)('lists %s in the option table', (name) => {
    expect(table).toContain(`\`${name}\``);
    const flag = OPTIONS[name].flag;
    if (flag !== undefined) expect(table).toContain(`--${flag}`);
  });

  it.each(Object.values(OPTIONS).filter((row) => row.flag !== undefined && row.flag !== 'help').map((row) => row.flag!))('names --%s where it lists the CLI\'s settings', (flag) => {
    expect(paragraph).toMatch(new RegExp(`\`--${flag}[ \`]`));
  });
});

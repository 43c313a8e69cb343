/**
 * The settings of a contract run, in one table: `runContract`'s option, its flag of
 * `nimbus-sandbox contract`, the environment variable that gives its default, the help lines,
 * and how text becomes the value and is checked. The command line, its --help and `runContract`'s
 * validation all come from it, so one mistake gets one message whichever way it was made.
 */
/** A setting of a contract run refused: a usage error (exit code 2). */
export class ContractOptionError extends RangeError {
  override name = 'ContractOptionError';
}

export interface ContractSettings {
  /** The implementation to check, such as `https://api-sandbox.nimbus-os.com`. */
  baseUrl?: string;
  /** The API key to use; never printed. Needed where the target refuses random keys. */
  apiKey?: string;
  /** Also write a JUnit XML report here. */
  junitFile?: string;
  /** Only the checks whose name matches: a part of the name, `*` for anything, several separated by commas. */
  only?: string;
  /** How long lifecycle checks wait for orders to move on their own (ms), on a target without the sandbox helpers. 0 or unset: they skip. */
  lifecycleTimeoutMs?: number;
  /** The fast-check seed of the property checks, to draw a failing run's cases again. */
  seed?: number;
  /** The host or address at which the target can reach the webhook receiver the kit runs. */
  receiverHost?: string;
  /** How long one request may go unanswered (ms) before the target counts as not answering. Default 30 000. */
  requestTimeoutMs?: number;
}

interface Row<T> {
  flag: string;
  env?: string;
  /** The value's placeholder in --help. */
  value: string;
  help: string[];
  /** Text to the value; text it cannot read comes back as is, for `check` to refuse. */
  parse?: (text: string) => T | string;
  /** Undefined when the value is acceptable, else the rest of a sentence: "must be …, not …". */
  check: (value: unknown) => string | undefined;
}

const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
const must = (ok: boolean, requirement: string, value: unknown) => (ok ? undefined : `must be ${requirement}, not ${show(value)}`);
const wholeNumber = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);
const nonEmptyText = (value: unknown) => must(typeof value === 'string' && value.trim() !== '', 'a non-empty text', value);
const INT32 = 2 ** 31;
/** Timers cannot wait longer (about 24.8 days). */
const MAX_TIMEOUT_MS = INT32 - 1;

const ROWS: { [K in keyof Required<ContractSettings>]: Row<Required<ContractSettings>[K]> } = {
  baseUrl: {
    flag: 'base-url', env: 'NIMBUS_BASE_URL', value: 'URL',
    help: ['The implementation to check, such as https://api-sandbox.nimbus-os.com.', 'Default: a sandbox started in this process on a free loopback port'],
    check: (value) => {
      if (typeof value !== 'string' || !/^https?:\/\/[^/?#\s]+[^\s]*$/i.test(value)) return must(false, 'an http:// or https:// URL, such as http://127.0.0.1:4010', value);
      return URL.canParse(value) ? undefined : must(false, 'a URL that parses', value);
    },
  },
  apiKey: {
    flag: 'api-key', env: 'NIMBUS_API_KEY', value: 'KEY',
    help: ['The key to use where the target refuses random keys. Never printed:', 'reproductions say $NIMBUS_API_KEY, so export it to run them'],
    check: nonEmptyText,
  },
  junitFile: {
    flag: 'junit', env: 'NIMBUS_CONTRACT_JUNIT', value: 'FILE',
    help: ['Also write a JUnit XML report there: one testcase per check'],
    check: nonEmptyText,
  },
  only: {
    flag: 'only', value: 'PATTERN',
    help: ['Only the checks whose name contains PATTERN (* matches anything, commas', 'separate patterns), such as idempotency/ or "lifecycle/*tracking*"'],
    check: nonEmptyText,
  },
  lifecycleTimeoutMs: {
    flag: 'lifecycle-timeout', env: 'NIMBUS_LIFECYCLE_TIMEOUT', value: 'MS',
    help: ['Without the sandbox helpers that move orders, how long lifecycle checks', 'wait for an order to move on its own. Unset or 0: they skip, saying why'],
    parse: wholeNumber,
    check: (value) => must(Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIMEOUT_MS, `a whole number of ms from 0 to ${MAX_TIMEOUT_MS}`, value),
  },
  seed: {
    flag: 'seed', value: 'N',
    help: ['The fast-check seed of the property checks; a failing one prints the', 'command that draws its cases again'],
    parse: wholeNumber,
    check: (value) => must(Number.isSafeInteger(value) && (value as number) >= -INT32 && (value as number) < INT32, `a whole number from ${-INT32} to ${INT32 - 1}`, value),
  },
  receiverHost: {
    flag: 'receiver-host', value: 'HOST',
    help: ['Where the target can reach the webhook receiver the kit runs on this', 'machine (default: 127.0.0.1, for a target on this machine)'],
    check: (value) => must(typeof value === 'string' && /^[A-Za-z0-9.:[\]_-]+$/.test(value), 'a host name or IP address', value),
  },  requestTimeoutMs: {
    flag: 'request-timeout', env: 'NIMBUS_REQUEST_TIMEOUT', value: 'MS',
    help: ['How long one request may go unanswered before the target counts as', 'not answering, which stops the run (default: 30000)'],
    parse: wholeNumber,
    check: (value) => must(Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_TIMEOUT_MS, `a whole number of ms from 1 to ${MAX_TIMEOUT_MS}`, value),
  },
};

type Name = keyof ContractSettings;
const NAMES = Object.keys(ROWS) as Name[];
const rowOf = (name: Name) => ROWS[name] as Row<unknown>;

/** Throws a ContractOptionError for the first unknown key or bad value of `runContract`'s settings. */
export function validateContractSettings(settings: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(settings)) {
    if (!(NAMES as string[]).includes(key) && !known.includes(key)) {
      throw new ContractOptionError(`${key} is not an option of runContract; the options are ${[...NAMES, ...known].join(', ')}`);
    }
  }
  for (const name of NAMES) {
    const value = settings[name];
    const problem = value === undefined ? undefined : rowOf(name).check(value);
    if (problem !== undefined) throw new ContractOptionError(`${name} (--${rowOf(name).flag}) ${problem}`);
  }
}

export type ContractCommandLine = { help: true } | ({ help: false } & ContractSettings);

function valueOf(name: Name, text: string, source: string): unknown {
  const row = rowOf(name);
  const value = row.parse === undefined ? text : row.parse(text);
  const problem = row.check(value);
  if (problem !== undefined) throw new ContractOptionError(`${source} ${problem}`);
  return value;
}

const FLAGS = new Map(NAMES.map((name) => [rowOf(name).flag, name]));
const FLAG_LIST = [...FLAGS.keys(), 'help'].map((flag) => `--${flag}`).join(', ');

/** The value a flag was given: `--flag value` or `--flag=value`. A value may start with a dash (`--seed -5`). */
function readFlags(argv: readonly string[]): { help: boolean; given: Map<Name, string> } {
  const given = new Map<Name, string>();
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const flag = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (flag === null) throw new ContractOptionError(`${show(arg)} is not an option; every setting is a --flag (${FLAG_LIST})`);
    const name = FLAGS.get(flag[1]!);
    if (name === undefined) throw new ContractOptionError(`unknown option --${flag[1]}; the options are ${FLAG_LIST}`);
    const value = flag[2] ?? argv[index + 1];
    if (value === undefined || (flag[2] === undefined && value.startsWith('--'))) {
      throw new ContractOptionError(`--${flag[1]} needs a value: --${flag[1]} ${rowOf(name).value}`);
    }
    if (flag[2] === undefined) index++;
    given.set(name, value);
  }
  return { help, given };
}

/** `nimbus-sandbox contract`'s arguments (after `contract`), each flag over its environment variable. */
export function parseContractCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ContractCommandLine {
  const { help, given } = readFlags(argv);
  if (help) return { help: true };
  const settings: Record<string, unknown> = {};
  for (const name of NAMES) {
    const row = rowOf(name);
    const flagged = given.get(name);
    const fromEnv = row.env === undefined ? undefined : env[row.env];
    if (flagged !== undefined) settings[name] = valueOf(name, flagged, `--${row.flag}`);
    // An empty variable counts as unset, as in a CI file that names every variable.
    else if (fromEnv !== undefined && fromEnv.trim() !== '') settings[name] = valueOf(name, name === 'apiKey' ? fromEnv : fromEnv.trim(), row.env!);
  }
  return { help: false, ...settings };
}

const FLAG_COLUMN = 28;

/** `nimbus-sandbox contract --help`: every flag of the table, with its environment variable. */
export function contractHelpText(): string {
  const flags = NAMES.flatMap((name) => {
    const row = rowOf(name);
    const lines = [...row.help, ...(row.env === undefined ? [] : [`(environment: ${row.env})`])];
    return lines.map((line, index) => `  ${(index === 0 ? `--${row.flag} ${row.value}` : '').padEnd(FLAG_COLUMN)}${line}`);
  });
  return [
    'Usage: nimbus-sandbox contract [options]',
    '',
    'Checks an implementation of the Nimbus OS API against spec/openapi.yaml and the sandbox contract,',
    'one line per check as it finishes (pass, fail with the reason and curl lines that reproduce it,',
    'skip with the reason), then "N passed, N failed, N skipped".',
    '',
    'Options:',
    ...flags,
    `  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help`,
    '',
    'Exit codes: 0 nothing failed; 1 a check failed; 2 a usage error, a target that cannot be reached,',
    'or a target that refuses the API key (said once; no check runs); also when stdout is closed',
    'before the run ends (such as `| head -1`), which stops the run quietly.',
  ].join('\n');
}

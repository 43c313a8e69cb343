/**
 * The settings of a contract run, in one table (kit/option-table.ts): `runContract`'s option, its
 * flag of `nimbus-sandbox contract`, the environment variable that gives its default, the help
 * lines, and how text becomes the value and is checked.
 */
import { httpUrl, INT32, milliseconds, must, nonEmptyText, optionTable, UsageError, wholeNumber, type OptionRows } from './option-table.ts';

/** A setting of a contract run refused: a usage error (exit code 2). */
export class ContractOptionError extends UsageError {
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

const ROWS: OptionRows<ContractSettings> = {
  baseUrl: {
    flag: 'base-url', env: 'NIMBUS_BASE_URL', value: 'URL',
    help: ['The implementation to check, such as https://api-sandbox.nimbus-os.com.', 'Default: a sandbox started in this process on a free loopback port'],
    check: httpUrl('http://127.0.0.1:4010'),
  },
  apiKey: {
    flag: 'api-key', env: 'NIMBUS_API_KEY', value: 'KEY',
    untrimmed: true,
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
    check: milliseconds(0),
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
  },
  requestTimeoutMs: {
    flag: 'request-timeout', env: 'NIMBUS_REQUEST_TIMEOUT', value: 'MS',
    help: ['How long one request may go unanswered before the target counts as', 'not answering, which stops the run (default: 30000)'],
    parse: wholeNumber,
    check: milliseconds(1),
  },
};

const TABLE = optionTable(ROWS, ContractOptionError);

/** Throws a ContractOptionError for the first unknown key or bad value of `runContract`'s settings. */
export function validateContractSettings(settings: Record<string, unknown>, known: readonly string[]): void {
  TABLE.validate(settings, known, 'runContract');
}

export type ContractCommandLine = { help: true } | ({ help: false } & ContractSettings);

/** `nimbus-sandbox contract`'s arguments (after `contract`), each flag over its environment variable. */
export function parseContractCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ContractCommandLine {
  return TABLE.parse(argv, env);
}

/** `nimbus-sandbox contract --help`: every flag of the table, with its environment variable. */
export function contractHelpText(): string {
  return [
    'Usage: nimbus-sandbox contract [options]',
    '',
    'Checks an implementation of the Nimbus OS API against spec/openapi.yaml and the sandbox contract,',
    'one line per check as it finishes (pass, fail with the reason and curl lines that reproduce it,',
    'skip with the reason), then "N passed, N failed, N skipped".',
    '',
    'Options:',
    ...TABLE.helpLines(),
    '',
    'Exit codes: 0 nothing failed; 1 a check failed; 2 a usage error, a target that cannot be reached,',
    'or a target that refuses the API key (said once; no check runs); also when stdout is closed',
    'before the run ends (such as `| head -1`), which stops the run quietly.',
  ].join('\n');
}

/**
 * The settings of `nimbus-sandbox coverage`, in one table: flag, environment variable, help
 * lines, and how text becomes the value and is checked. Its parsing and --help come from it.
 */
import { parseArgs } from 'node:util';
import { credentialsRefusal } from '../contract-tests/kit/option-table.ts';
import { closest, show } from './options.ts';

/** A refused command line: a usage error (exit code 2). */
export class CoverageOptionError extends RangeError {
  override name = 'CoverageOptionError';
}

export interface CoverageSettings {
  baseUrl: string;
  apiKey: string;
  /** Exit 1 when the share met, in percent, is under this. */
  failUnder?: number;
  /** Print the report as the sandbox gave it, and nothing else. */
  json: boolean;
  junitFile?: string;
}

interface Row {
  flag: string;
  env?: string;
  /** The value's placeholder in --help; absent for a switch. */
  value?: string;
  /** Set on a setting that must be given: why it is needed. */
  required?: string;
  help: string[];
  /** Text to the value; text it cannot read comes back as is, for `check` to refuse. */
  parse?: (text: string) => unknown;
  /** Undefined when the value is acceptable, else the rest of a sentence: "must be …, not …". */
  check?: (value: unknown) => string | undefined;
}

const must = (ok: boolean, requirement: string, value: unknown) => (ok ? undefined : `must be ${requirement}, not ${show(value)}`);
const nonEmpty = (value: unknown) => must(typeof value === 'string' && value.trim() !== '', 'a non-empty text', value);

const ROWS: { [K in keyof CoverageSettings]-?: Row } = {
  baseUrl: {
    flag: 'base-url', env: 'NIMBUS_BASE_URL', value: 'URL', required: 'the sandbox your tests ran against, such as http://127.0.0.1:4010',
    help: ['The nimbus-sandbox your tests ran against, such as http://127.0.0.1:4010'],
    check: (value) => must(typeof value === 'string' && /^https?:\/\/[^/?#\s]+\S*$/i.test(value) && URL.canParse(value), 'an http:// or https:// URL, such as http://127.0.0.1:4010', value)
      ?? credentialsRefusal(value as string),
  },
  apiKey: {
    flag: 'api-key', env: 'NIMBUS_API_KEY', value: 'KEY', required: 'the key your tests used, as coverage is counted per key',
    help: ['The API key your tests used: coverage is counted per key. Never printed'],
    check: nonEmpty,
  },
  failUnder: {
    flag: 'fail-under', value: 'PCT',
    help: ['Exit with code 1 when less than PCT percent (0 to 100) of the', 'possibilities were met'],
    parse: (text) => (/^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text),
    check: (value) => must(typeof value === 'number' && value >= 0 && value <= 100, 'a number from 0 to 100', value),
  },
  json: {
    flag: 'json',
    help: ['Print the report as the sandbox answers it (JSON), and nothing else'],
  },
  junitFile: {
    flag: 'junit', env: 'NIMBUS_COVERAGE_JUNIT', value: 'FILE',
    help: ['Also write a JUnit XML report there: one testcase per possibility,', 'failed when never met'],
    check: nonEmpty,
  },
};

type Name = keyof CoverageSettings;
const NAMES = Object.keys(ROWS) as Name[];
const FLAGS = NAMES.map((name) => ROWS[name].flag);

function valueOf(name: Name, text: string, source: string): unknown {
  const row = ROWS[name];
  const value = row.parse === undefined ? text : row.parse(text);
  const problem = row.check?.(value);
  if (problem !== undefined) throw new CoverageOptionError(`${source} ${problem}`);
  return value;
}

/** Reads parseArgs's own errors as the table's messages. */
function readArgs(argv: readonly string[]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...Object.fromEntries(NAMES.map((name) => [ROWS[name].flag, { type: ROWS[name].value === undefined ? 'boolean' : 'string' }])), help: { type: 'boolean', short: 'h' } } as Record<string, { type: 'string' | 'boolean' }>,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const guess = quoted.startsWith('--') ? closest(quoted.slice(2), FLAGS) : undefined;
      throw new CoverageOptionError(`unknown option ${quoted}${guess === undefined ? `; the options are ${[...FLAGS, 'help'].map((flag) => `--${flag}`).join(', ')}` : `; did you mean --${guess}?`}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new CoverageOptionError(`${show(quoted)} is not an option; every setting is a --flag`);
    const missing = NAMES.find((name) => message.startsWith(`Option '--${ROWS[name].flag}`));
    if (missing !== undefined) {
      const { flag, value } = ROWS[missing];
      // parseArgs takes `--flag -5` for a flag without its value followed by another option.
      const dashed = message.includes('ambiguous') ? `; a value starting with a dash goes after "=": --${flag}=-${value}` : '';
      throw new CoverageOptionError(`--${flag} needs a value: --${flag} ${value}${dashed}`);
    }
    throw new CoverageOptionError(message);
  }
}

/** `nimbus-sandbox coverage`'s arguments (after `coverage`), each flag over its environment variable. */
export function parseCoverageCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): { help: true } | ({ help: false } & CoverageSettings) {
  const given = readArgs(argv);
  if (given.help === true) return { help: true };
  const settings: Record<string, unknown> = { json: given.json === true };
  for (const name of NAMES) {
    const row = ROWS[name];
    if (row.value === undefined) continue;
    const flagged = given[row.flag];
    const fromEnv = row.env === undefined ? undefined : env[row.env];
    if (typeof flagged === 'string') settings[name] = valueOf(name, flagged, `--${row.flag}`);
    // An empty variable counts as unset, as in a CI file that names every variable.
    else if (fromEnv !== undefined && fromEnv.trim() !== '') settings[name] = valueOf(name, name === 'apiKey' ? fromEnv : fromEnv.trim(), row.env!);
    else if (row.required !== undefined) throw new CoverageOptionError(`--${row.flag} ${row.value} (or ${row.env}) is needed: ${row.required}`);
  }
  return { help: false, ...settings } as { help: false } & CoverageSettings;
}

const FLAG_COLUMN = 22;

/** `nimbus-sandbox coverage --help`. */
export function coverageHelpText(): string {
  const flags = NAMES.flatMap((name) => {
    const row = ROWS[name];
    const lines = [...row.help, ...(row.env === undefined ? [] : [`(environment: ${row.env})`])];
    return lines.map((line, index) => `  ${(index === 0 ? `--${row.flag}${row.value === undefined ? '' : ` ${row.value}`}` : '').padEnd(FLAG_COLUMN)}${line}`);
  });
  return [
    'Usage: nimbus-sandbox coverage --base-url URL --api-key KEY [options]',
    '',
    'Shows which of the contract\'s answers, statuses, webhook events, magic values and faults the',
    'key\'s traffic has met (GET /sandbox/coverage): first what was never met, grouped, each with how',
    'to trigger it, then what was met and how often, then "Coverage: N of M (P%)".',
    '',
    'Options:',
    ...flags,
    `  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help`,
    '',
    'Exit codes: 0 done (and at least --fail-under met); 1 under --fail-under; 2 a usage error, a',
    'target that cannot be reached, refuses the key or has no /sandbox/coverage.',
  ].join('\n');
}

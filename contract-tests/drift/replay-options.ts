import { CONTRACT_OPTION_ROWS, ContractOptionError, type OptionRow } from '../kit/options.ts';

/**
 * The settings of a replay, in one table as the contract kit's (kit/options.ts), several of its
 * rows reused: `replay`'s option, its flag of `nimbus-sandbox replay`, the environment variable,
 * the help lines. The command line, its --help and `replay`'s validation all come from it.
 */

/** A setting of a replay refused: a usage error (exit code 2). */
export class ReplayOptionError extends ContractOptionError {
  override name = 'ReplayOptionError';
}

export interface ReplaySettings {
  /** The transcript to replay (JSON Lines, as `nimbus-sandbox record` writes). The command's one argument. */
  transcriptFile?: string;
  /** The implementation to replay against, such as `http://127.0.0.1:4010`. */
  targetUrl?: string;
  /** The API key every key alias is sent as, where the target refuses random keys; never printed. */
  apiKey?: string;
  /** The known differences (JSON Lines, each with its reason). */
  allowFile?: string;
  /** Also write a JUnit XML report here: one testcase per exchange. */
  junitFile?: string;
  /** How long one request may go unanswered (ms) before the target counts as not answering. Default 30 000. */
  requestTimeoutMs?: number;
}

const nonEmptyText = CONTRACT_OPTION_ROWS.apiKey.check;
const { env: _url, ...url } = CONTRACT_OPTION_ROWS.baseUrl;
const { env: _junit, ...junit } = CONTRACT_OPTION_ROWS.junitFile;

const ROWS: { [K in keyof Required<ReplaySettings>]: OptionRow<Required<ReplaySettings>[K]> } = {
  transcriptFile: {
    flag: '', value: 'FILE',
    help: ['The transcript to replay, as nimbus-sandbox record writes it (JSON Lines)'],
    check: nonEmptyText,
  },
  targetUrl: {
    ...url, flag: 'target',
    help: ['The implementation to replay against, such as http://127.0.0.1:4010. Required'],
  },
  apiKey: {
    ...CONTRACT_OPTION_ROWS.apiKey,
    help: ['Where the target refuses random keys, every key alias of the transcript', 'is sent as this key (they then share one tenant). Never printed:', 'reproductions say $NIMBUS_API_KEY'],
  },
  allowFile: {
    flag: 'allow', value: 'FILE',
    help: ['Known differences, one JSON object a line, each with its reason:', '{"operation":"createOrder","path":"body.status","reason":"…"}', '(optional "position": N narrows one to that exchange)'],
    check: nonEmptyText,
  },
  junitFile: { ...junit, help: ['Also write a JUnit XML report there: one testcase per exchange'] },
  requestTimeoutMs: CONTRACT_OPTION_ROWS.requestTimeoutMs,
};

type Name = keyof ReplaySettings;
const NAMES = Object.keys(ROWS) as Name[];
const rowOf = (name: Name) => ROWS[name] as OptionRow<unknown>;
const FLAGS = new Map(NAMES.filter((name) => rowOf(name).flag !== '').map((name) => [rowOf(name).flag, name]));
const FLAG_LIST = [...FLAGS.keys(), 'help'].map((flag) => `--${flag}`).join(', ');

/** Throws a ReplayOptionError for the first unknown key or bad value of `replay`'s settings. */
export function validateReplaySettings(settings: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(settings)) {
    if (!(NAMES as string[]).includes(key) && !known.includes(key)) {
      throw new ReplayOptionError(`${key} is not an option of replay; the options are ${[...NAMES, ...known].join(', ')}`);
    }
  }
  for (const name of NAMES) {
    const value = settings[name];
    const problem = value === undefined ? undefined : rowOf(name).check(value);
    if (problem !== undefined) throw new ReplayOptionError(`${name}${rowOf(name).flag === '' ? '' : ` (--${rowOf(name).flag})`} ${problem}`);
  }
}

export type ReplayCommandLine = { help: true } | ({ help: false } & ReplaySettings);

function valueOf(name: Name, text: string, source: string): unknown {
  const row = rowOf(name);
  const value = row.parse === undefined ? text : row.parse(text);
  const problem = row.check(value);
  if (problem !== undefined) throw new ReplayOptionError(`${source} ${problem}`);
  return value;
}

/** `nimbus-sandbox replay`'s arguments (after `replay`): the transcript, then flags (`--flag value` or `--flag=value`), each over its environment variable. */
export function parseReplayCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ReplayCommandLine {
  const given = new Map<Name, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    const flag = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (flag === null) {
      if (given.has('transcriptFile')) throw new ReplayOptionError(`${JSON.stringify(arg)}: replay takes one transcript; every setting is a --flag (${FLAG_LIST})`);
      given.set('transcriptFile', arg);
      continue;
    }
    const name = FLAGS.get(flag[1]!);
    if (name === undefined) throw new ReplayOptionError(`unknown option --${flag[1]}; the options are ${FLAG_LIST}`);
    const value = flag[2] ?? argv[index + 1];
    if (value === undefined || (flag[2] === undefined && value.startsWith('--'))) throw new ReplayOptionError(`--${flag[1]} needs a value: --${flag[1]} ${rowOf(name).value}`);
    if (flag[2] === undefined) index++;
    given.set(name, value);
  }
  const settings: Record<string, unknown> = {};
  for (const name of NAMES) {
    const row = rowOf(name);
    const flagged = given.get(name);
    const fromEnv = row.env === undefined ? undefined : env[row.env];
    if (flagged !== undefined) settings[name] = valueOf(name, flagged, row.flag === '' ? 'the transcript' : `--${row.flag}`);
    // An empty variable counts as unset, as in a CI file that names every variable.
    else if (fromEnv !== undefined && fromEnv.trim() !== '') settings[name] = valueOf(name, name === 'apiKey' ? fromEnv : fromEnv.trim(), row.env!);
  }
  if (settings.transcriptFile === undefined) throw new ReplayOptionError('which transcript? nimbus-sandbox replay FILE --target URL');
  if (settings.targetUrl === undefined) throw new ReplayOptionError('--target URL is required: the implementation to replay against, such as http://127.0.0.1:4010');
  return { help: false, ...settings };
}

const FLAG_COLUMN = 28;

/** `nimbus-sandbox replay --help`. */
export function replayHelpText(): string {
  const flags = NAMES.filter((name) => rowOf(name).flag !== '').flatMap((name) => {
    const row = rowOf(name);
    const lines = [...row.help, ...(row.env === undefined ? [] : [`(environment: ${row.env})`])];
    return lines.map((line, index) => `  ${(index === 0 ? `--${row.flag} ${row.value}` : '').padEnd(FLAG_COLUMN)}${line}`);
  });
  return [
    'Usage: nimbus-sandbox replay FILE --target URL [options]',
    '',
    'Sends the requests of a transcript (recorded by nimbus-sandbox record in front of the real Nimbus',
    'sandbox) to the target in order, and compares each answer with the recorded one: the status,',
    'error code and details.field, the published headers, the body\'s shape and values. Ids the',
    'upstream assigned are mapped to the target\'s; request ids, timestamps (by order and spacing),',
    'tracking numbers (by carrier format), secrets and rate-limit values are volatile. Each',
    'difference is printed with the exchange\'s position and a curl line, then a summary.',
    '',
    'Options:',
    ...flags,
    `  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help`,
    '',
    'Exit codes: 0 no difference outside --allow; 1 a difference not in --allow; 2 a usage error,',
    'an unreadable or invalid transcript or allow file (with its line), or a target that cannot be',
    'reached or refuses the API key.',
  ].join('\n');
}

import { httpUrl, milliseconds, nonEmptyText, optionTable, UsageError, wholeNumber, type CommandLine, type OptionRows } from '../kit/option-table.ts';

/**
 * The settings of a replay, in one table (kit/option-table.ts): `replay`'s option, its flag of
 * `nimbus-sandbox replay`, the environment variable, the help lines. The command line, its --help
 * and `replay`'s validation all come from it.
 */

/** A setting of a replay refused: a usage error (exit code 2). */
export class ReplayOptionError extends UsageError {
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

const ROWS: OptionRows<ReplaySettings> = {
  transcriptFile: {
    flag: '', value: 'FILE',
    help: ['The transcript to replay, as nimbus-sandbox record writes it (JSON Lines)'],
    check: nonEmptyText,
  },
  targetUrl: {
    flag: 'target', value: 'URL',
    help: ['The implementation to replay against, such as http://127.0.0.1:4010. Required'],
    check: httpUrl('http://127.0.0.1:4010'),
  },
  apiKey: {
    flag: 'api-key', env: 'NIMBUS_API_KEY', value: 'KEY', untrimmed: true,
    help: ['Where the target refuses random keys, every key alias of the transcript', 'is sent as this key (they then share one tenant). Never printed:', 'reproductions say $NIMBUS_API_KEY'],
    check: nonEmptyText,
  },
  allowFile: {
    flag: 'allow', value: 'FILE',
    help: ['Known differences, one JSON object a line, each with its reason:', '{"operation":"createOrder","path":"body.status","reason":"…"}', '(optional "position": N narrows one to that exchange)'],
    check: nonEmptyText,
  },
  junitFile: {
    flag: 'junit', value: 'FILE',
    help: ['Also write a JUnit XML report there: one testcase per exchange'],
    check: nonEmptyText,
  },
  requestTimeoutMs: {
    flag: 'request-timeout', env: 'NIMBUS_REQUEST_TIMEOUT', value: 'MS',
    help: ['How long one request may go unanswered before the target counts as', 'not answering, which stops the replay (default: 30000)'],
    parse: wholeNumber,
    check: milliseconds(1),
  },
};

const REPLAY_OPTIONS = optionTable(ROWS, ReplayOptionError, 'transcriptFile');

/** Throws a ReplayOptionError for the first unknown key or bad value of `replay`'s settings. */
export function validateReplaySettings(settings: Record<string, unknown>, known: readonly string[]): void {
  REPLAY_OPTIONS.validate(settings, known, 'replay');
}

/** `nimbus-sandbox replay`'s arguments (after `replay`): the transcript and flags, each flag over its environment variable. */
export function parseReplayCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine<ReplaySettings> {
  const commandLine = REPLAY_OPTIONS.parse(argv, env);
  if (commandLine.help) return commandLine;
  if (commandLine.transcriptFile === undefined) throw new ReplayOptionError('which transcript? nimbus-sandbox replay FILE --target URL');
  if (commandLine.targetUrl === undefined) throw new ReplayOptionError('--target URL is required: the implementation to replay against, such as http://127.0.0.1:4010');
  return commandLine;
}

/** `nimbus-sandbox replay --help`. */
export function replayHelpText(): string {
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
    ...REPLAY_OPTIONS.helpLines(),
    '',
    'Exit codes: 0 no difference outside --allow; 1 a difference not in --allow; 2 a usage error,',
    'an unreadable or invalid transcript or allow file (with its line), or a target that cannot be',
    'reached or refuses the API key.',
  ].join('\n');
}

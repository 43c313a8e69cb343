import { httpUrl, must, nonEmptyText, optionTable, UsageError, wholeNumber, withoutCredentials, type CommandLine, type OptionRows } from '../kit/option-table.ts';

/** `nimbus-sandbox record`'s settings, in one table (kit/option-table.ts): flags, environment variables, --help and `startRecorder`'s validation. */

export interface RecordSettings {
  /** The Nimbus sandbox to record, such as `https://api-sandbox.nimbus-os.com` (a base path is kept). */
  upstream?: string;
  /** Where the recorder listens; 0 for any free port. Default 4011. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The transcript to write (replaced if it exists). Default `nimbus-transcript.jsonl`. */
  outFile?: string;
}

export const DEFAULT_RECORD_PORT = 4011;
export const DEFAULT_RECORD_HOST = '127.0.0.1';
export const DEFAULT_TRANSCRIPT_FILE = 'nimbus-transcript.jsonl';

const ROWS: OptionRows<RecordSettings> = {
  upstream: {
    flag: 'upstream', env: 'NIMBUS_UPSTREAM', value: 'URL',
    help: ['The Nimbus sandbox to record, such as https://api-sandbox.nimbus-os.com', '(a base path is kept; no credentials, query or fragment). Required'],
    check: (value) => {
      const problem = httpUrl('https://api-sandbox.nimbus-os.com')(value);
      if (problem !== undefined) return problem;
      const url = new URL(value as string);
      return must(url.username === '' && url.password === '' && url.search === '' && url.hash === '' && !(value as string).includes('?'),
        'a URL without credentials, query or fragment (the transcript names it)', withoutCredentials(value as string));
    },
  },
  port: {
    flag: 'port', value: 'PORT',
    help: [`Where the recorder listens (default: ${DEFAULT_RECORD_PORT}); 0 for any free port`],
    parse: wholeNumber,
    check: (value) => must(Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 65_535, 'a port from 0 to 65535', value),
  },
  host: {
    flag: 'host', value: 'HOST',
    help: [`The address it listens on (default: ${DEFAULT_RECORD_HOST}, this machine only)`],
    check: (value) => must(typeof value === 'string' && /^[A-Za-z0-9.:[\]_-]+$/.test(value), 'a host name or IP address', value),
  },
  outFile: {
    flag: 'out', env: 'NIMBUS_TRANSCRIPT', value: 'FILE',
    help: [`The transcript to write, replaced if it exists (default: ${DEFAULT_TRANSCRIPT_FILE})`],
    check: nonEmptyText,
  },
};

export const RECORD_OPTIONS = optionTable(ROWS, UsageError);

/** `nimbus-sandbox record`'s arguments (after `record`). */
export function parseRecordCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine<RecordSettings> {
  const commandLine = RECORD_OPTIONS.parse(argv, env);
  if (!commandLine.help && commandLine.upstream === undefined) {
    throw new UsageError('--upstream is needed: the Nimbus sandbox to record, such as --upstream https://api-sandbox.nimbus-os.com');
  }
  return commandLine;
}

export function recordHelpText(): string {
  return [
    'Usage: nimbus-sandbox record --upstream URL [options]',
    '',
    'A recording proxy: point your integration suite at it instead of the Nimbus sandbox. It forwards',
    'every request unchanged, returns the upstream\'s answer unchanged, and appends each exchange to a',
    'transcript (JSON Lines) that `nimbus-sandbox replay` sends again to another target. API keys',
    'become key#1, key#2, …, webhook secrets secret#1, …; Authorization, cookies and headers the spec',
    'does not publish are never written. Each answer is checked against spec/openapi.yaml as it',
    'passes; departures are printed and recorded. Ctrl-C finishes the requests in flight and stops.',
    '',
    'Options:',
    ...RECORD_OPTIONS.helpLines(),
    '',
    'Exit codes: 0 stopped (Ctrl-C or SIGTERM); 2 a usage error, or the port or file cannot be used.',
  ].join('\n');
}

/**
 * A command's settings as one table: each setting's flag, the environment variable that gives its
 * default, its help lines, and how text becomes the value and is checked. The command line, its
 * --help and a library function's validation all come from the table, so one mistake gets one
 * message whichever way it was made. `nimbus-sandbox contract`, `record` and `check-receiver`
 * each have their own.
 */

export interface OptionRow<T> {
  flag: string;
  env?: string;
  /** The value's placeholder in --help. */
  value: string;
  help: string[];
  /** Text to the value; text it cannot read comes back as is, for `check` to refuse. */
  parse?: (text: string) => T | string;
  /** Undefined when the value is acceptable, else the rest of a sentence: "must be …, not …". */
  check: (value: unknown) => string | undefined;
  /** The environment variable's value is used as given, not trimmed (keys and secrets). */
  untrimmed?: boolean;
}

export type OptionRows<S> = { [K in keyof Required<S>]: OptionRow<Required<S>[K]> };

export const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
export const must = (ok: boolean, requirement: string, value: unknown) => (ok ? undefined : `must be ${requirement}, not ${show(value)}`);
export const wholeNumber = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);
export const nonEmptyText = (value: unknown) => must(typeof value === 'string' && value.trim() !== '', 'a non-empty text', value);
export const INT32 = 2 ** 31;
/** Timers cannot wait longer (about 24.8 days). */
export const MAX_TIMEOUT_MS = INT32 - 1;

/** An http:// or https:// URL that parses; `example` shows one in the message. */
export function httpUrl(example: string): (value: unknown) => string | undefined {
  return (value) => {
    if (typeof value !== 'string' || !/^https?:\/\/[^/?#\s]+[^\s]*$/i.test(value)) return must(false, `an http:// or https:// URL, such as ${example}`, value);
    if (!URL.canParse(value)) return must(false, 'a URL that parses', value);
    return credentialsRefusal(value);
  };
}

/** A URL as it may be printed: any `user:password@` shown as `…@`, never in clear. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return `${parsed.protocol}//…@${parsed.href.slice(parsed.protocol.length + 2)}`;
}

/** fetch refuses a URL with `user:password@` in it: said at once, the credentials hidden, rather than as a target that cannot be reached. */
export function credentialsRefusal(url: string): string | undefined {
  const parsed = new URL(url);
  return parsed.username === '' && parsed.password === '' ? undefined : must(false, 'a URL without credentials (user:password@)', withoutCredentials(url));
}

/** A whole number of milliseconds from `min` to the longest a timer waits. */
export function milliseconds(min: number): (value: unknown) => string | undefined {
  return (value) => must(Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= MAX_TIMEOUT_MS, `a whole number of ms from ${min} to ${MAX_TIMEOUT_MS}`, value);
}

/** A usage error of a command or a library function's settings (exit code 2). */
export class UsageError extends RangeError {
  override name = 'UsageError';
}

export type CommandLine<S> = { help: true } | ({ help: false } & S);

export interface OptionTable<S> {
  /** The settings' names, in the table's order. */
  readonly names: ReadonlyArray<keyof S & string>;
  /** The command's arguments, each flag over its environment variable; the positional argument, where the table has one, as its setting. */
  parse(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine<S>;
  /** Throws for the first unknown key (not in the table nor `known`) or bad value of a library function's settings. */
  validate(settings: Record<string, unknown>, known: readonly string[], functionName: string): void;
  /** The --help lines of every flag, with its environment variable, then -h. */
  helpLines(): string[];
}

const FLAG_COLUMN = 28;

/**
 * The table's parser, validator and help. `positional` names the setting a bare argument gives
 * (such as check-receiver's URL); without it every setting is a --flag.
 */
export function optionTable<S>(rows: OptionRows<S>, error: new (message: string) => Error, positional?: keyof S & string): OptionTable<S> {
  type Name = keyof S & string;
  const names = Object.keys(rows) as Name[];
  const rowOf = (name: Name) => rows[name] as OptionRow<unknown>;
  const flags = new Map(names.filter((name) => name !== positional).map((name) => [rowOf(name).flag, name]));
  const flagList = [...flags.keys(), 'help'].map((flag) => `--${flag}`).join(', ');

  const valueOf = (name: Name, text: string, source: string): unknown => {
    const row = rowOf(name);
    const value = row.parse === undefined ? text : row.parse(text);
    const problem = row.check(value);
    if (problem !== undefined) throw new error(`${source} ${problem}`);
    return value;
  };

  /** The value a flag was given: `--flag value` or `--flag=value`. A value may start with a dash (`--seed -5`). */
  const readFlags = (argv: readonly string[]) => {
    const given = new Map<Name, string>();
    let help = false;
    for (let index = 0; index < argv.length; index++) {
      const arg = argv[index]!;
      if (arg === '-h' || arg === '--help') {
        help = true;
        continue;
      }
      const flag = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
      if (flag === null) {
        if (positional !== undefined && !given.has(positional) && !arg.startsWith('-')) {
          given.set(positional, arg);
          continue;
        }
        throw new error(`${show(arg)} is not an option; every setting is a --flag (${flagList})`);
      }
      const name = flags.get(flag[1]!);
      if (name === undefined) throw new error(`unknown option --${flag[1]}; the options are ${flagList}`);
      const value = flag[2] ?? argv[index + 1];
      if (value === undefined || (flag[2] === undefined && value.startsWith('--'))) {
        throw new error(`--${flag[1]} needs a value: --${flag[1]} ${rowOf(name).value}`);
      }
      if (flag[2] === undefined) index++;
      given.set(name, value);
    }
    return { help, given };
  };

  return {
    names,
    parse(argv, env) {
      const { help, given } = readFlags(argv);
      if (help) return { help: true };
      const settings: Record<string, unknown> = {};
      for (const name of names) {
        const row = rowOf(name);
        const flagged = given.get(name);
        const fromEnv = row.env === undefined ? undefined : env[row.env];
        const source = name === positional ? row.value : `--${row.flag}`;
        if (flagged !== undefined) settings[name] = valueOf(name, flagged, source);
        // An empty variable counts as unset, as in a CI file that names every variable.
        else if (fromEnv !== undefined && fromEnv.trim() !== '') settings[name] = valueOf(name, row.untrimmed === true ? fromEnv : fromEnv.trim(), row.env!);
      }
      return { help: false, ...settings } as CommandLine<S>;
    },
    validate(settings, known, functionName) {
      for (const key of Object.keys(settings)) {
        if (!(names as string[]).includes(key) && !known.includes(key)) {
          throw new error(`${key} is not an option of ${functionName}; the options are ${[...names, ...known].join(', ')}`);
        }
      }
      for (const name of names) {
        const value = settings[name];
        const problem = value === undefined ? undefined : rowOf(name).check(value);
        if (problem !== undefined) throw new error(`${name} (--${rowOf(name).flag}) ${problem}`);
      }
    },
    helpLines() {
      const lines = names.filter((name) => name !== positional).flatMap((name) => {
        const row = rowOf(name);
        const texts = [...row.help, ...(row.env === undefined ? [] : [`(environment: ${row.env})`])];
        return texts.map((line, index) => `  ${(index === 0 ? `--${row.flag} ${row.value}` : '').padEnd(FLAG_COLUMN)}${line}`);
      });
      return [...lines, `  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help`];
    },
  };
}

import { TRANSCRIPT_VERSION, type RecordedExchange, type TranscriptHeader } from './transcript.ts';

/** A transcript that cannot be replayed: which line, and why. */
export class TranscriptError extends Error {
  override name = 'TranscriptError';

  constructor(readonly line: number | undefined, readonly why: string) {
    super(line === undefined ? why : `line ${line}: ${why}`);
  }
}

export interface Transcript {
  header: TranscriptHeader;
  /** In position order. */
  exchanges: RecordedExchange[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringMap = (value: unknown) => isObject(value) && Object.values(value).every((entry) => typeof entry === 'string');

/** The first member of `record` that is not as `rules` says, as "member must be …". */
function badMember(record: Json, rules: Record<string, [requirement: string, ok: (value: unknown) => boolean]>): string | undefined {
  for (const [name, [requirement, ok]] of Object.entries(rules)) {
    if (!ok(record[name])) return `${name} must be ${requirement}, not ${record[name] === undefined ? 'absent' : JSON.stringify(record[name])}`;
  }
  return undefined;
}

const text = (value: unknown) => typeof value === 'string';
/** Methods fetch refuses to send. */
const UNSENDABLE_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header value may hold on the wire: no line breaks or NUL, nothing past Latin-1. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const sendableHeaders = (value: unknown) => isStringMap(value)
  && Object.entries(value as Record<string, string>).every(([name, entry]) => HEADER_NAME.test(name) && HEADER_VALUE.test(entry));
const optionalText = (value: unknown) => value === undefined || typeof value === 'string';

function headerProblem(line: Json): string | undefined {
  if (line.kind !== 'transcript') return `the first line must be the transcript's header ({"kind":"transcript",…}), not ${JSON.stringify(line.kind ?? null)}`;
  if (line.version !== TRANSCRIPT_VERSION) return `the transcript is of version ${JSON.stringify(line.version)}; this replay reads version ${TRANSCRIPT_VERSION}`;
  return badMember(line, { recordedAt: ['a text', text], upstream: ['a text', text], recorder: ['a text', text] });
}

function exchangeProblem(line: Json, previous: number): string | undefined {
  if (line.kind !== 'exchange') return `every line after the header must be an exchange ({"kind":"exchange",…}), not ${JSON.stringify(line.kind ?? null)}`;
  const problem = badMember(line, {
    position: [`a whole number above ${previous} (the one before)`, (value) => Number.isSafeInteger(value) && (value as number) > previous],
    key: ['a key alias such as "key#1", or null', (value) => value === null || (typeof value === 'string' && value !== '')],
    startedAt: ['an RFC 3339 time', (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value))],
    durationMs: ['a number', (value) => typeof value === 'number'],
    request: ['an object', isObject],
    departures: ['a list of texts', (value) => Array.isArray(value) && value.every(text)],
    failure: ['a text when present', optionalText],
  });
  if (problem !== undefined) return problem;
  const request = line.request as Json;
  const requestProblem = badMember(request, {
    method: ['an HTTP method a replay can send (not CONNECT, TRACE or TRACK)', (value) => typeof value === 'string' && /^[A-Z]+$/.test(value) && !UNSENDABLE_METHODS.has(value)],
    path: ['a path starting with /', (value) => typeof value === 'string' && value.startsWith('/')],
    query: ['a text', text],
    headers: ['an object of header names and values that can be sent (no line breaks, nothing past Latin-1)', sendableHeaders],
    body: ['a text when present', optionalText],
  });
  if (requestProblem !== undefined) return `request.${requestProblem}`;
  if (line.response === undefined) return line.failure === undefined ? 'an exchange without a response must say why (failure)' : undefined;
  if (!isObject(line.response)) return 'response must be an object when present';
  const responseProblem = badMember(line.response, {
    status: ['an HTTP status (100 to 599)', (value) => Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599],
    headers: ['an object of texts', isStringMap],
    body: ['a text when present', optionalText],
    truncated: ['true when present', (value) => value === undefined || value === true],
  });
  return responseProblem === undefined ? undefined : `response.${responseProblem}`;
}

/** Reads a transcript (JSON Lines); throws a TranscriptError naming the first line it cannot take. Blank lines are passed over. */
export function parseTranscript(source: string): Transcript {
  let header: TranscriptHeader | undefined;
  const exchanges: RecordedExchange[] = [];
  const lines = source.split('\n');
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const number = index + 1;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch (error) {
      throw new TranscriptError(number, `not JSON (${(error as Error).message})`);
    }
    if (!isObject(line)) throw new TranscriptError(number, 'not a JSON object');
    const problem = header === undefined ? headerProblem(line) : exchangeProblem(line, exchanges.at(-1)?.position ?? 0);
    if (problem !== undefined) throw new TranscriptError(number, problem);
    if (header === undefined) header = line as unknown as TranscriptHeader;
    else exchanges.push(line as unknown as RecordedExchange);
  }
  if (header === undefined) throw new TranscriptError(undefined, 'the transcript is empty: not even its header line');
  return { header, exchanges };
}

/*
 * Known differences between the recorded upstream and a target, kept in the user's repository
 * beside the transcript: JSON Lines, one entry a line, such as
 *
 *   {"operation": "createOrder", "path": "header Retry-After", "reason": "Nimbus sends it on 201s; ticket NIM-12"}
 *   {"operation": "getOrder", "path": "body.estimatedDeliveryDate", "position": 14, "reason": "…"}
 *
 * An entry names the operation (its operationId; for a request that is no operation of the spec,
 * `METHOD /path` as recorded) and the difference's path as the replay prints it; `*` in the path
 * stands for any run of characters but `.` (`body.data[*].status`). It matches wherever that
 * operation differs so, which survives re-recording; `position` narrows it to one exchange of
 * one transcript. `reason` is required: the file is reviewed like code. Blank lines are passed over.
 */

export class AllowListError extends Error {
  override name = 'AllowListError';

  constructor(readonly line: number, readonly why: string) {
    super(`line ${line}: ${why}`);
  }
}

export interface AllowEntry {
  /** Its line in the file, to say which entry went unused. */
  line: number;
  operation: string;
  path: string;
  position?: number;
  reason: string;
}

const MEMBERS = ['operation', 'path', 'position', 'reason'];

function entryOf(raw: string, line: number): AllowEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new AllowListError(line, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AllowListError(line, 'not a JSON object such as {"operation": "createOrder", "path": "status", "reason": "…"}');
  const entry = value as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((name) => !MEMBERS.includes(name));
  if (unknown.length > 0) throw new AllowListError(line, `unknown member ${unknown.join(', ')}; an entry has ${MEMBERS.join(', ')}`);
  for (const name of ['operation', 'path', 'reason']) {
    if (typeof entry[name] !== 'string' || (entry[name] as string).trim() === '') {
      throw new AllowListError(line, `${name} must be a non-empty text${name === 'reason' ? ': say why the difference is accepted' : ''}`);
    }
  }
  if (entry.position !== undefined && !(Number.isSafeInteger(entry.position) && (entry.position as number) >= 1)) {
    throw new AllowListError(line, `position must be an exchange's position (a whole number from 1), not ${JSON.stringify(entry.position)}`);
  }
  return { line, operation: entry.operation as string, path: entry.path as string, ...(entry.position === undefined ? {} : { position: entry.position as number }), reason: entry.reason as string };
}

export function parseAllowList(text: string): AllowEntry[] {
  return text.split('\n').flatMap((raw, index) => (raw.trim() === '' ? [] : [entryOf(raw, index + 1)]));
}

/**
 * Whether `text` (no `.` in it) matches `pattern`, where `*` is any run of characters: the greedy
 * walk that goes back only to the last `*`, in time linear in their product. A regular expression
 * of `[^.]*`s backtracks for minutes once an entry has a dozen stars.
 */
function segmentMatches(pattern: string, text: string): boolean {
  let [p, t] = [0, 0];
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** `*` never stands for a `.`, so the entry's path and the difference's match part by part between dots. */
function pathMatches(pattern: readonly string[], path: string): boolean {
  const parts = path.split('.');
  return parts.length === pattern.length && parts.every((part, index) => segmentMatches(pattern[index]!, part));
}

export interface AllowedDifference {
  operation: string;
  position: number;
  path: string;
}

/** The entries of an allow list, noting which were used. */
export class AllowList {
  private readonly used = new Set<AllowEntry>();
  private readonly patterns: Array<[AllowEntry, string[]]>;

  constructor(readonly entries: readonly AllowEntry[] = []) {
    this.patterns = entries.map((entry) => [entry, entry.path.split('.')]);
  }

  /** The entry that allows this difference, if any. */
  allows(difference: AllowedDifference): AllowEntry | undefined {
    const found = this.patterns.find(([entry, pattern]) => entry.operation === difference.operation
      && (entry.position === undefined || entry.position === difference.position) && pathMatches(pattern, difference.path))?.[0];
    if (found !== undefined) this.used.add(found);
    return found;
  }

  unused(): AllowEntry[] {
    return this.entries.filter((entry) => !this.used.has(entry));
  }
}

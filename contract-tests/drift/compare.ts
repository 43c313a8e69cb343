import { verifyTrackingNumber } from '../kit/tracking.ts';
import { documentedResponse, resolveRef, spec, validatorFor, type Json, type Operation } from '../kit/spec.ts';
import { IdMap, idTokens, REQUEST_ID, SECRET, SECRET_ALIAS } from './id-map.ts';
import { orderProblem, timestampKind, Timeline, type Mismatch, type Moment } from './timeline.ts';
import type { RecordedResponse } from './transcript.ts';

/**
 * One answer of the target against the recorded one. Compared: the status; the published
 * headers' presence (and the values of those that are not volatile); the body's shape (the same
 * members, the same branch of each `oneOf`) and its values, except what is volatile:
 *  - ids the upstream assigned, which must map consistently (id-map.ts);
 *  - request ids (`req_…`), webhook secrets (`secret#N`), signatures: the published pattern only;
 *  - timestamps: by spacing and order (timeline.ts);
 *  - tracking numbers: a published carrier format with a valid check digit (the carrier is the
 *    target's choice);
 *  - `Retry-After`, `X-RateLimit-*` and `details.retryAfter`: presence only;
 *  - prose (`message`, `reason`): a text, in any words; the code and `details.field` carry the meaning.
 * A body the recorder cut short (`truncated`) is not compared.
 */

export interface Difference {
  /** Where: `status`, `header Location`, `body.error.code`, `body.data[0].status`. */
  path: string;
  expected: string;
  got: string;
}

export interface TargetAnswer {
  status: number;
  headers: Headers;
  text: string;
}

const VOLATILE_HEADERS = /^(?:retry-after|x-ratelimit-.*)$/i;
const VOLATILE_NUMBERS = new Set(['retryAfter']);
const PROSE = new Set(['message', 'reason']);
const CURSOR = /cursor$/i;
/** Headers the recorder keeps beside the published ones. */
const ALWAYS_KEPT = ['content-type', 'location', 'allow'];
const SIGNATURE = new RegExp((spec as unknown as { components: { parameters: Record<string, { schema: { pattern: string } }> } })
  .components.parameters.WebhookSignature!.schema.pattern);

const SHOWN = 160;
export function show(value: unknown): string {
  if (value === undefined) return 'absent';
  if (depthAbove(value, MAX_DEPTH)) return `${kindOf(value)} nested deeper than ${MAX_DEPTH} levels`;
  const text = JSON.stringify(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}… (${text.length} chars)` : text;
}

/**
 * No answer of the spec nests anywhere near this deep; a target's body that does (`[[[[…]]]]`)
 * is compared without recursion below it, so it cannot exhaust the call stack.
 */
const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit`, found without recursion. */
function depthAbove(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Deep equality of two parsed JSON values, without recursion. */
function sameJson(a: unknown, b: unknown): boolean {
  const pending: Array<[unknown, unknown]> = [[a, b]];
  while (pending.length > 0) {
    const [x, y] = pending.pop()!;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || Array.isArray(x) !== Array.isArray(y)) return false;
    const [xKeys, yKeys] = [Object.keys(x), Object.keys(y)];
    if (xKeys.length !== yKeys.length || xKeys.some((name) => !Object.hasOwn(y, name))) return false;
    for (const name of xKeys) pending.push([(x as Record<string, unknown>)[name], (y as Record<string, unknown>)[name]]);
  }
  return true;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const jsonOrUndefined = (text: string | undefined): unknown => {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isJsonContainer = (text: string) => /^\s*[[{]/.test(text) && jsonOrUndefined(text) !== undefined;

/** The schema a member or item of a value of `schema` has, through $ref and allOf; undefined when the spec does not say. */
function childSchema(schema: Json | undefined, key: string | number): Json | undefined {
  if (schema === undefined) return undefined;
  const resolved = resolveRef(schema);
  if (typeof key === 'number') return resolved.items as Json | undefined;
  const own = (resolved.properties as Record<string, Json> | undefined)?.[key];
  if (own !== undefined) return own;
  for (const part of (resolved.allOf as Json[] | undefined) ?? []) {
    const found = childSchema(part, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

function branchName(branch: Json, index: number): string {
  const ref = branch.$ref;
  return typeof ref === 'string' ? ref.split('/').at(-1)! : `branch ${index + 1}`;
}

/** Which `oneOf` branch each value takes, where they differ; and the branch to follow further. */
function branches(schema: Json | undefined, recorded: unknown, got: unknown): { mismatch?: Mismatch; follow?: Json } {
  if (schema === undefined) return {};
  const oneOf = resolveRef(schema).oneOf as Json[] | undefined;
  if (oneOf === undefined) return { follow: schema };
  const pick = (value: unknown) => oneOf.findIndex((branch) => validatorFor(branch)(value));
  const [was, is] = [pick(recorded), pick(got)];
  const name = (index: number) => (index < 0 ? 'none of its branches' : branchName(oneOf[index]!, index));
  return { ...(was === is ? {} : { mismatch: { expected: name(was), got: name(is) } }), ...(was < 0 ? {} : { follow: oneOf[was] }) };
}

export interface ExchangeComparison {
  operation: Operation | undefined;
  recorded: RecordedResponse;
  got: TargetAnswer;
  at: Moment;
}

/** Compares answers in transcript order: what it learns from one (ids, the clocks' reference) holds for the next. */
export class Comparer {
  constructor(readonly ids: IdMap = new IdMap(), private readonly timeline: Timeline = new Timeline()) {}

  compare({ operation, recorded, got, at }: ExchangeComparison): Difference[] {
    if ((recorded.status >= 400) !== (got.status >= 400)) return this.otherAnswer(recorded, got);
    const found: Difference[] = [];
    if (recorded.status !== got.status) found.push({ path: 'status', expected: String(recorded.status), got: String(got.status) });
    found.push(...this.headers(operation, recorded, got, at));
    found.push(...this.body(operation, recorded, got, at));
    return found;
  }

  /**
   * An error where a success was recorded (or the reverse) is another answer altogether:
   * comparing it member by member would list every field of the one as missing from the other.
   * Said instead: the status, and the error's code.
   */
  private otherAnswer(recorded: RecordedResponse, got: TargetAnswer): Difference[] {
    const found: Difference[] = [{ path: 'status', expected: String(recorded.status), got: String(got.status) }];
    const codeOf = (text: string | undefined) => (jsonOrUndefined(text) as { error?: { code?: unknown } } | undefined)?.error?.code;
    const [was, is] = [codeOf(recorded.body), codeOf(got.text)];
    if (was !== undefined || is !== undefined) found.push({ path: 'body.error.code', expected: show(was), got: show(is) });
    return found;
  }

  private headers(operation: Operation | undefined, recorded: RecordedResponse, got: TargetAnswer, at: Moment): Difference[] {
    const documented = operation === undefined ? [] : Object.keys(documentedResponse(operation, recorded.status)?.headers ?? {});
    // The spec's spelling of a name wins (later entries replace earlier ones).
    const names = new Map([...Object.keys(recorded.headers), ...ALWAYS_KEPT, ...documented].map((name) => [name.toLowerCase(), name]));
    const found: Difference[] = [];
    for (const [lower, name] of names) {
      const was = recorded.headers[lower];
      const is = got.headers.get(lower) ?? undefined;
      const path = `header ${name}`;
      if (was === undefined || is === undefined) {
        if (was !== is) found.push({ path, expected: was === undefined ? 'absent' : 'present', got: is === undefined ? 'absent' : `present (${show(is)})` });
        continue;
      }
      if (VOLATILE_HEADERS.test(lower)) continue;
      const comparable = lower === 'content-type' ? (text: string) => text.split(';')[0]!.trim().toLowerCase() : (text: string) => text;
      const mismatch = this.string(comparable(was), comparable(is), undefined, at);
      if (mismatch !== undefined) found.push({ path, ...mismatch });
    }
    return found;
  }

  private body(operation: Operation | undefined, recorded: RecordedResponse, got: TargetAnswer, at: Moment): Difference[] {
    // The recorder keeps the start of a very long body only: there is nothing whole to compare.
    if (recorded.truncated === true) return [];
    const was = recorded.body;
    const is = got.text === '' ? undefined : got.text;
    if (was === undefined || is === undefined) {
      return was === is ? [] : [{ path: 'body', expected: was === undefined ? 'no body' : `a body (${show(jsonOrUndefined(was) ?? was)})`, got: is === undefined ? 'no body' : show(jsonOrUndefined(is) ?? is) }];
    }
    const wasJson = jsonOrUndefined(was);
    if (wasJson === undefined) return was === is ? [] : [{ path: 'body', expected: show(was), got: show(is) }];
    const isJson = jsonOrUndefined(is);
    if (isJson === undefined) return [{ path: 'body', expected: 'JSON', got: show(is) }];
    const content = operation === undefined ? undefined : documentedResponse(operation, recorded.status)?.content;
    const schema = content?.['application/json']?.schema as Json | undefined;
    const found: Difference[] = [];
    this.value(wasJson, isJson, 'body', undefined, schema, at, found);
    return found;
  }

  private value(was: unknown, is: unknown, path: string, key: string | undefined, schema: Json | undefined, at: Moment, found: Difference[], depth = 0): void {
    if (depth >= MAX_DEPTH) {
      if (!sameJson(was, is)) found.push({ path, expected: show(was), got: `${show(is)}, not the same (compared as a whole this deep)` });
      return;
    }
    const branch = branches(schema, was, is);
    if (branch.mismatch !== undefined) found.push({ path: `${path} (schema branch)`, ...branch.mismatch });
    const follow = branch.follow;
    if (kindOf(was) !== kindOf(is)) {
      // null where a value was (or the reverse) is a value's difference, such as a dropped tracking number.
      found.push({ path, expected: was === null || is === null ? show(was) : kindOf(was), got: show(is) });
      return;
    }
    if (Array.isArray(was)) {
      const items = is as unknown[];
      if (was.length !== items.length) found.push({ path: `${path}.length`, expected: String(was.length), got: String(items.length) });
      for (let index = 0; index < Math.min(was.length, items.length); index++) {
        this.value(was[index], items[index], `${path}[${index}]`, undefined, childSchema(follow, index), at, found, depth + 1);
      }
      return;
    }
    if (was !== null && typeof was === 'object') {
      const members = is as Record<string, unknown>;
      let previousTimestamp: { recorded: string; got: string } | undefined;
      for (const name of new Set([...Object.keys(was), ...Object.keys(members)])) {
        const [a, b] = [(was as Record<string, unknown>)[name], members[name]];
        const at_ = `${path}.${name}`;
        if (!(name in members)) found.push({ path: at_, expected: `present (${show(a)})`, got: 'absent' });
        else if (!(name in was)) found.push({ path: at_, expected: 'absent', got: `present (${show(b)})` });
        else {
          this.value(a, b, at_, name, childSchema(follow, name), at, found, depth + 1);
          if (typeof a === 'string' && typeof b === 'string' && timestampKind(a) === 'date-time' && timestampKind(b) === 'date-time') {
            const order = previousTimestamp === undefined ? undefined : orderProblem([a, previousTimestamp.recorded], [b, previousTimestamp.got]);
            if (order !== undefined) found.push({ path: at_, ...order });
            previousTimestamp = { recorded: a, got: b };
          }
        }
      }
      return;
    }
    if (typeof was === 'string') {
      const mismatch = this.string(was, is as string, key, at);
      if (mismatch !== undefined) found.push({ path, ...mismatch });
      return;
    }
    if (typeof was === 'number' && key !== undefined && VOLATILE_NUMBERS.has(key)) return;
    if (was !== is) found.push({ path, expected: show(was), got: show(is) });
  }

  private string(was: string, is: string, key: string | undefined, at: Moment): Mismatch | undefined {
    const pattern = (regex: RegExp, what: string) => (regex.test(is) ? undefined : { expected: what, got: show(is) });
    if (SECRET_ALIAS.test(was)) return pattern(SECRET, `a webhook secret (${SECRET.source}), recorded as ${was}`) ?? this.mapped(was, is);
    if (REQUEST_ID.test(was)) return pattern(REQUEST_ID, `a request id (${REQUEST_ID.source})`);
    if (SIGNATURE.test(was)) return pattern(SIGNATURE, `a signature (${SIGNATURE.source})`);
    if (this.ids.isMapped(was)) return this.mapped(was, is);
    if (key !== undefined && CURSOR.test(key)) return this.mapped(was, is);
    if (timestampKind(was) !== undefined) return this.timeline.compare(was, is, at);
    if (verifyTrackingNumber(was).problem === undefined) {
      const verdict = verifyTrackingNumber(is);
      return verdict.problem === undefined ? undefined : { expected: `a tracking number (recorded a ${verifyTrackingNumber(was).carrier} one)`, got: `${show(is)}: ${verdict.problem}` };
    }
    if (key !== undefined && PROSE.has(key)) return undefined;
    if (isJsonContainer(was)) {
      const inner: Difference[] = [];
      this.value(JSON.parse(was), jsonOrUndefined(is), 'JSON', undefined, undefined, at, inner);
      return inner.length === 0 ? undefined : { expected: 'the same JSON text', got: inner.map((difference) => `${difference.path}: ${difference.expected} ≠ ${difference.got}`).join('; ') };
    }
    return this.text(was, is);
  }

  /** A recorded id (or secret alias, or cursor) and the target's: the same pair as ever, or a new one. */
  private mapped(was: string, is: string): Mismatch | undefined {
    const inconsistency = this.ids.pair(was, is);
    if (inconsistency === undefined) return undefined;
    return inconsistency.expected !== undefined
      ? { expected: `${show(inconsistency.expected)} (the target's value for the recorded ${was} so far)`, got: show(is) }
      : { expected: `the target's value for ${was}`, got: `${show(is)}, which already stands for the recorded ${inconsistency.takenBy}` };
  }

  /** Text with ids in it (a Location, a message): the ids pair up in order, then the rest must be the same. */
  private text(was: string, is: string): Mismatch | undefined {
    const [wasTokens, isTokens] = [idTokens(was), idTokens(is)];
    if (wasTokens.length === isTokens.length) {
      wasTokens.forEach((token, index) => {
        if (this.ids.isMapped(token)) this.ids.pair(token, isTokens[index]!);
      });
    }
    const expected = this.ids.substitute(was);
    return expected === is ? undefined : { expected: show(expected), got: show(is) };
  }
}

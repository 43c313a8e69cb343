import { spec } from '../kit/spec.ts';
import { PUBLISHED_ORDER_ID, PUBLISHED_PATIENT_IDS, PUBLISHED_PRESCRIPTION_IDS } from '../kit/test-data.ts';

/*
 * Which strings are ids, read from the spec: every schema `pattern` of the form `^prefix_[chars]+$`
 * (`^ord_[A-Za-z0-9_]+$`, `^we_[A-Za-z0-9]+$`, …) names an id kind. Request ids (`req_`, the
 * pattern of the published X-Request-Id header) are never mapped, only checked by pattern; webhook
 * secrets (`whsec_`, WebhookEndpoint.secret's pattern) are recorded as `secret#N` aliases.
 */

interface IdKind {
  prefix: string;
  /** The whole pattern, such as `^ord_[A-Za-z0-9_]+$`. */
  pattern: RegExp;
  /** The characters after the prefix, such as `[A-Za-z0-9_]`. */
  chars: string;
}

const ID_PATTERN = /^\^([a-z]+_(?:[a-z]+_)*)(\[[A-Za-z0-9_-]+\])\+\$$/;

function patternsIn(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => patternsIn(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') found.add(value);
      else patternsIn(value, found);
    }
  }
  return found;
}

const specDocument = spec as unknown as { components: { headers: Record<string, { schema: { pattern: string } }> } };
const requestIdPattern = specDocument.components.headers['X-Request-Id']!.schema.pattern;
const secretPattern = (spec.components.schemas.WebhookEndpoint as { properties: { secret: { pattern: string } } }).properties.secret.pattern;

const kinds: IdKind[] = [...patternsIn(spec, new Set())].flatMap((pattern) => {
  const match = ID_PATTERN.exec(pattern);
  return match === null ? [] : [{ prefix: match[1]!, pattern: new RegExp(pattern), chars: match[2]! }];
});

const kindOf = (pattern: string) => {
  const kind = kinds.find((candidate) => candidate.pattern.source === new RegExp(pattern).source);
  if (kind === undefined) throw new Error(`spec: the pattern ${pattern} is not of the form ^prefix_[chars]+$`);
  return kind;
};

/** Request ids (`req_…`): volatile, checked by the published pattern only. */
export const REQUEST_ID = kindOf(requestIdPattern).pattern;
/** Webhook secrets (`whsec_…`): the recorder writes them as `secret#N`. */
export const SECRET = kindOf(secretPattern).pattern;
export const SECRET_ALIAS = /^secret#\d+$/;

/** The id kinds the upstream may assign, longest prefix first (so `wh_test_` wins over a shorter one). */
export const ID_KINDS: readonly IdKind[] = kinds
  .filter((kind) => kind.prefix !== kindOf(requestIdPattern).prefix && kind.prefix !== kindOf(secretPattern).prefix)
  .filter((kind, index, all) => all.findIndex((other) => other.prefix === kind.prefix) === index)
  .sort((a, b) => b.prefix.length - a.prefix.length);

/** Every id in a text, as a token: not preceded by an id character. */
const ID_TOKENS = new RegExp(`(?<![A-Za-z0-9_])(?:${ID_KINDS.map((kind) => `${kind.prefix}${kind.chars}+`).join('|')}|secret#\\d+)`, 'g');

/** The ids and secret aliases in a text, in order. */
export const idTokens = (text: string): string[] => text.match(ID_TOKENS) ?? [];

export const isId = (text: string) => ID_KINDS.some((kind) => kind.pattern.test(text));

function stringsIn(node: unknown, found: string[] = []): string[] {
  if (typeof node === 'string') found.push(node);
  else if (Array.isArray(node)) node.forEach((item) => stringsIn(item, found));
  else if (node !== null && typeof node === 'object') Object.values(node).forEach((value) => stringsIn(value, found));
  return found;
}

/**
 * Ids of the published test data: every id the spec mentions (its examples and descriptions,
 * such as `pat_test_001` or `rx_test_expired`) and the kit's published test data. They name the
 * same thing on every Nimbus sandbox, so they are compared as they are, never mapped.
 */
export const PUBLISHED_IDS: ReadonlySet<string> = new Set([
  ...stringsIn(spec).flatMap((text) => text.match(ID_TOKENS) ?? []),
  PUBLISHED_ORDER_ID, ...PUBLISHED_PATIENT_IDS, ...PUBLISHED_PRESCRIPTION_IDS,
]);

/** A recorded value and the target's at the same place were not a consistent pair. */
export interface Inconsistency {
  /** What the recorded value was mapped to before (absent: the target value was already another's). */
  expected?: string;
  /** The other recorded value the target's value already stands for. */
  takenBy?: string;
}

/**
 * What the upstream assigned and what the target assigned at the same place: ids, webhook
 * secrets (their `secret#N` aliases) and list cursors. Learned from each pair of answers; each
 * recorded value stands for one target value and no two recorded values for the same one.
 */
export class IdMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();
  /** Ids the client chose (first seen in a request): sent and compared as they are. */
  private readonly literal = new Set<string>();

  /** Ids of a recorded request that no answer has given yet: the client's own, never mapped. */
  noteSent(text: string): void {
    for (const token of idTokens(text)) if (!this.forward.has(token)) this.literal.add(token);
  }

  /** Whether this recorded id stands for one the target assigns (not published, not the client's own). */
  isMapped(recorded: string): boolean {
    return (isId(recorded) || SECRET_ALIAS.test(recorded)) && !PUBLISHED_IDS.has(recorded) && !this.literal.has(recorded);
  }

  /** Pairs a recorded value with the target's at the same place; undefined when consistent (learning it if new). */
  pair(recorded: string, got: string): Inconsistency | undefined {
    const known = this.forward.get(recorded);
    if (known !== undefined) return known === got ? undefined : { expected: known };
    const takenBy = this.backward.get(got);
    if (takenBy !== undefined) return { takenBy };
    this.forward.set(recorded, got);
    this.backward.set(got, recorded);
    return undefined;
  }

  /** The target's value for a recorded one, when learned. */
  get(recorded: string): string | undefined {
    return this.forward.get(recorded);
  }

  /** A recorded text (path, body, header) with every learned id and secret alias replaced by the target's. */
  substitute(text: string): string {
    return text.replace(ID_TOKENS, (token) => this.forward.get(token) ?? token);
  }

  /** A recorded query with learned values (cursors among them) and ids replaced, each parameter's value as a whole first. */
  substituteQuery(query: string): string {
    if (query === '') return query;
    return query.split('&').map((part) => {
      const equals = part.indexOf('=');
      if (equals < 0) return this.substitute(part);
      const value = part.slice(equals + 1);
      let decoded: string;
      try {
        decoded = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        return `${part.slice(0, equals)}=${this.substitute(value)}`;
      }
      const whole = this.forward.get(decoded);
      return `${part.slice(0, equals)}=${whole === undefined ? this.substitute(value) : encodeURIComponent(whole)}`;
    }).join('&');
  }
}

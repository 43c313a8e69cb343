import { operations, resolveRef, spec, type Json } from '../kit/spec.ts';

/**
 * What a transcript may hold: the headers the spec publishes, and every key and secret replaced
 * by a stable alias, so a transcript can be committed and shared.
 */

/**
 * The sandbox's fault injection header (README, "Failing on purpose"): not in the spec, yet it
 * changes the answer, so a replay must send it again.
 */
const FAULT_HEADER = 'nimbus-sandbox-fault';

/** Request headers a transcript keeps: the header parameters of the spec's operations, plus Content-Type, Accept and the fault header. */
export const RECORDED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'content-type', 'accept', FAULT_HEADER,
  ...operations.flatMap((op) => {
    const item = spec.paths[op.path] as { parameters?: unknown[] };
    const parameters = [...(item.parameters ?? []), ...((op.spec as unknown as { parameters?: unknown[] }).parameters ?? [])];
    return parameters.map((parameter) => resolveRef<{ in: string; name: string }>(parameter)).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name.toLowerCase());
  }),
]);

/** Answer headers a transcript keeps: every header the spec documents on an answer, plus Content-Type, Location and Allow. */
export const RECORDED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'content-type', 'location', 'allow',
  ...operations.flatMap((op) => Object.values(op.spec.responses)
    .flatMap((response) => Object.keys(resolveRef<{ headers?: Json }>(response).headers ?? {}))
    .map((name) => name.toLowerCase())),
]);

/** The header the API key travels in: its security scheme's name. */
export const API_KEY_HEADER = (() => {
  const schemes = (spec as unknown as { components: { securitySchemes?: Record<string, { type: string; in?: string; name?: string }> } }).components.securitySchemes ?? {};
  const scheme = Object.values(schemes).find((candidate) => candidate.type === 'apiKey' && candidate.in === 'header');
  if (scheme?.name === undefined) throw new Error('spec: no apiKey security scheme in a header');
  return scheme.name.toLowerCase();
})();

/** Prefixes of the secrets the spec's schemas show (`^whsec_…` patterns), such as `whsec_`. */
function secretPrefixes(): string[] {
  const found = new Set<string>();
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    const pattern = (node as Json).pattern;
    const prefix = typeof pattern === 'string' ? /^\^([a-z]*sec_)/.exec(pattern)?.[1] : undefined;
    if (prefix !== undefined) found.add(prefix);
    for (const value of Object.values(node)) visit(value);
  };
  visit(spec.components.schemas);
  if (found.size === 0) throw new Error('spec: no schema shows a secret (a pattern such as ^whsec_…)');
  return [...found];
}

const SECRET = new RegExp(`(?:${secretPrefixes().join('|')})[A-Za-z0-9]+`, 'g');
/** Keys shorter than this are aliased where they are sent but not searched for in text, where they would match by chance. */
const SEARCHED_KEY_LENGTH = 6;

/** Aliases keys (`key#1`, …) and secrets (`secret#1`, …) in the order they first appear, stable for one transcript. */
export class Redactor {
  private readonly keys = new Map<string, string>();
  private readonly secrets = new Map<string, string>();

  /** The alias of the key a request sent; null when it sent none. */
  keyAlias(key: string | undefined): string | null {
    if (key === undefined) return null;
    let alias = this.keys.get(key);
    if (alias === undefined) {
      alias = `key#${this.keys.size + 1}`;
      this.keys.set(key, alias);
    }
    return alias;
  }

  /** The text with every secret and every key seen so far replaced by its alias. */
  redact(text: string): string {
    let redacted = text.replace(SECRET, (secret) => {
      let alias = this.secrets.get(secret);
      if (alias === undefined) {
        alias = `secret#${this.secrets.size + 1}`;
        this.secrets.set(secret, alias);
      }
      return alias;
    });
    // Longest first, so a key that contains another is replaced whole.
    for (const [key, alias] of [...this.keys].sort(([a], [b]) => b.length - a.length)) {
      if (key.length >= SEARCHED_KEY_LENGTH) redacted = redacted.split(key).join(alias);
    }
    return redacted;
  }

  /** The headers a transcript keeps of these, values redacted, names in lower case. */
  headers(headers: Iterable<[string, string]>, kept: ReadonlySet<string>): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [name, value] of headers) {
      const lower = name.toLowerCase();
      if (kept.has(lower) && lower !== API_KEY_HEADER) found[lower] = this.redact(value);
    }
    return found;
  }
}

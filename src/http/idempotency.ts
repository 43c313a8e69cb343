import { createHash } from 'node:crypto';
import type { ErrorCode } from '../api-types.ts';
import type { StoredAnswer } from '../store/store.ts';
import { Refusal } from '../domain/refusal.ts';
import { answerOf, errorBody } from './errors.ts';
import type { Store } from '../store/store.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Idempotency keys one API key keeps at most (`--max-idempotency-keys`); past it the oldest finished ones go early. */
export const DEFAULT_MAX_IDEMPOTENCY_KEYS = 10_000;

/**
 * Refusals that tell the state of the API key rather than answer the request: a cap reached
 * (`limit_reached`) can change with a reset, so the refusal is not kept as the key's answer; the
 * claim is released, as after a 5xx, and the same request may be sent again with the same key.
 */
const NOT_KEPT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['limit_reached']);
const VALID_KEY = /^[\x21-\x7E]{1,255}$/;

/** JSON with object keys sorted, so the fingerprint ignores key order. Input is a validated body. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('base64url');
}

/** The Idempotency-Key header as given, or undefined when absent; refuses a malformed one. */
export function parseIdempotencyKey(header: string | undefined, required: boolean): string | undefined {
  if (header === undefined) {
    if (required) {
      throw new Refusal('invalid_request', 'This sandbox requires an Idempotency-Key header on this request', {
        field: 'Idempotency-Key', reason: 'Required',
      });
    }
    return undefined;
  }
  if (!VALID_KEY.test(header)) {
    throw new Refusal('invalid_request', 'The Idempotency-Key header is invalid', {
      field: 'Idempotency-Key', reason: 'Must be 1 to 255 visible ASCII characters',
    });
  }
  return header;
}

export interface IdempotentCall {
  store: Store;
  tenant: string;
  key: string | undefined;
  fingerprint: string;
  now: number;
  requestId: string;
  /** What the operation creates, for the conflict's message: `order` (the published wording) or `refill`. */
  creates: string;
  /** How many idempotency keys the API key keeps at most (see `Store.claimIdempotencyKey`). */
  keep: number;
}

export interface IdempotentResult {
  answer: StoredAnswer;
  replayed: boolean;
}

function answerFor(refusal: Refusal, requestId: string): StoredAnswer {
  const { status, headers } = answerOf(refusal);
  return { status, body: errorBody(refusal, requestId), headers, requestId };
}

/**
 * Runs `work` at most once per (tenant, key, fingerprint). The key is claimed before the work;
 * a refusal the work decides (4xx) is stored and replayed like a success, while an unexpected
 * failure, a 5xx or a refusal in `NOT_KEPT` releases the claim so a retry runs afresh. (A cap is
 * checked inside the work, after the claim, so that a retry of a create that succeeded is still
 * answered with its replay when the cap has been reached since.)
 */
export async function runIdempotent(call: IdempotentCall, work: () => Promise<StoredAnswer>): Promise<IdempotentResult> {
  const { store, tenant, key } = call;
  if (key === undefined) return { answer: await work(), replayed: false };

  const claim = await store.claimIdempotencyKey(tenant, key, call.fingerprint, call.now, call.now - IDEMPOTENCY_TTL_MS, call.keep);
  switch (claim.kind) {
    case 'replay':
      return { answer: claim.answer, replayed: true };
    case 'conflict':
      throw new Refusal('idempotency_key_conflict', `${call.creates === 'order' ? 'An order' : `A ${call.creates}`} with this idempotency key already exists`, {
        field: 'Idempotency-Key', reason: 'This key was used with a different request',
      });
    case 'in_use':
      throw new Refusal('idempotency_key_in_use', 'A request with this idempotency key is still being processed; retry shortly', {
        field: 'Idempotency-Key', reason: 'In progress',
      }, 1);
    case 'claimed':
      break;
  }

  let answer: StoredAnswer;
  try {
    answer = await work();
  } catch (error) {
    if (!(error instanceof Refusal) || answerOf(error).status >= 500 || NOT_KEPT.has(error.code)) {
      await store.releaseIdempotencyKey(tenant, key);
      throw error;
    }
    answer = answerFor(error, call.requestId);
  }
  await store.completeIdempotencyKey(tenant, key, answer);
  return { answer, replayed: false };
}

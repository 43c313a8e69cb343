import type { ErrorCode, ErrorDetails } from '../api-types.ts';
import { Refusal } from '../domain/refusal.ts';
import { errorStatuses } from '../spec-extensions.ts';

/** The one table from error code to HTTP status: the spec's `ErrorCode` `x-nimbus-statuses`, complete over its enum. */
export const ERROR_STATUS = errorStatuses satisfies Readonly<Record<ErrorCode, number>>;

/** A refusal made by the HTTP layer itself, with the headers that go with it (`Allow`, `X-RateLimit-*`). */
export class HttpRefusal extends Refusal {
  constructor(code: ErrorCode, message: string, details?: ErrorDetails, readonly headers: Record<string, string> = {}) {
    super(code, message, details);
  }
}

export const INTERNAL_ERROR_MESSAGE = 'An unexpected error occurred; retrying with the same Idempotency-Key is safe';

/** The status and headers of a refusal's answer: the one place an error code meets HTTP. */
export function answerOf(refusal: Refusal): { status: number; headers: Record<string, string> } {
  const headers: Record<string, string> = refusal instanceof HttpRefusal ? { ...refusal.headers } : {};
  if (refusal.retryAfterSeconds !== undefined) headers['Retry-After'] = String(refusal.retryAfterSeconds);
  return { status: ERROR_STATUS[refusal.code], headers };
}

/** The documented envelope. */
export function errorBody(refusal: Refusal, requestId: string): string {
  return JSON.stringify({
    error: {
      code: refusal.code,
      message: refusal.message,
      requestId,
      ...(refusal.details === undefined ? {} : { details: refusal.details }),
    },
  });
}

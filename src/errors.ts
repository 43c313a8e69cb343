import type { ErrorCode, ErrorDetails } from './api-types.ts';

/** The one table from error code to HTTP status. The spec's ErrorCode enum keeps it complete. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_key_conflict: 409,
  idempotency_key_in_use: 409,
  order_not_cancellable: 409,
  invalid_state_transition: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_error: 422,
  refill_not_eligible: 422,
  rate_limit_exceeded: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<ErrorCode, number>;

export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/** A refusal the API answers with its documented envelope. Anything else thrown is a 500. */
export class ApiError extends Error {
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(error: ApiError, requestId: string): string {
  return JSON.stringify({
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  });
}

/**
 * Runs work that moves a record the sweep fetched: true when done, false when the record was
 * removed meanwhile (a reset or a forgotten key), which leaves nothing to move.
 */
export async function doneUnlessGone(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return false;
    throw error;
  }
}

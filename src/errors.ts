import type { ErrorCode } from './api-types.ts';

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

import type { ErrorCode, ErrorDetails } from './api-types.ts';
import { errorStatuses } from './spec-extensions.ts';

/** The one table from error code to HTTP status: the spec's `ErrorCode` `x-nimbus-statuses`, complete over its enum. */
export const ERROR_STATUS = errorStatuses satisfies Readonly<Record<ErrorCode, number>>;

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

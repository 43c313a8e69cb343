import type { ErrorCode, ErrorDetails } from '../api-types.ts';

/**
 * Why the domain will not do what was asked, in the API's own vocabulary of error codes. It says
 * nothing of HTTP: the HTTP layer's error table gives each code its status and headers.
 */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    /** For a refusal that passes with time: how long to wait before asking again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export function notFound(noun: string, idField: string, id: string): Refusal {
  return new Refusal('not_found', `No ${noun} with id ${id.slice(0, 100)}`, { field: idField, reason: 'Not found' });
}

/**
 * The API key holds as many of `what` as it may: a state of the key, not an answer to the request
 * (a reset, or a delete, changes it), so the idempotency layer does not keep it as the key's answer.
 */
export function limitReached(what: string, limit: number, reason: string): Refusal {
  return new Refusal('limit_reached', `This API key holds as many ${what} as the sandbox lets one key hold (${limit})`, { limit, reason });
}

export function invalid(field: string, reason: string): Refusal {
  return new Refusal('validation_error', 'The request body is invalid', { field, reason });
}

/**
 * The answers Node's HTTP server gives on its own, before any request reaches the pipeline: a
 * request line or headers its parser refuses, headers too large, a request not received in time.
 * Node answers those with an empty 400, 431 or 408; here they get the documented envelope and an
 * `X-Request-Id`, like every other answer of the sandbox.
 *
 * The spec's error table has no code for 408 or 431, and every status the sandbox answers must
 * have its code there, so all three are 400 `invalid_request`, the message saying which it was.
 */
import { maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Refusal } from '../domain/refusal.ts';
import { randomIds, type IdGenerator } from '../ids.ts';
import { ERROR_STATUS, errorBody } from './errors.ts';

interface ServerLimits {
  headersTimeout: number;
  requestTimeout: number;
  maxHeaderSize?: number | undefined;
}

/** The refusal for an error Node's HTTP server reports on a connection. */
export function clientErrorRefusal(error: Error & { code?: string; reason?: unknown }, server: ServerLimits): Refusal {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Refusal('invalid_request',
        `The request was not received in time: its headers must arrive within ${server.headersTimeout} ms and the whole request within ${server.requestTimeout} ms`);
    case 'HPE_HEADER_OVERFLOW':
      return new Refusal('invalid_request',
        `The request's headers are too large: at most ${server.maxHeaderSize ?? maxHeaderSize} bytes in all`);
    default:
      return new Refusal('invalid_request', 'The request is not valid HTTP/1.1',
        typeof error.reason === 'string' && error.reason !== '' ? { reason: error.reason } : undefined);
  }
}

/** A whole raw HTTP/1.1 answer carrying `refusal`, closing the connection. */
export function rawErrorAnswer(refusal: Refusal, requestId: string): string {
  const status = ERROR_STATUS[refusal.code];
  const body = errorBody(refusal, requestId);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd(),
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Answers `server`'s client errors in the envelope, then closes the connection. Nothing is written
 * to a socket that can no longer be written to, or where an answer has already begun.
 */
export function answerClientErrors(server: Server, ids: IdGenerator = randomIds()): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const answer = rawErrorAnswer(clientErrorRefusal(error, server), ids.next('req'));
    socket.end(answer, () => socket.destroy());
  });
}

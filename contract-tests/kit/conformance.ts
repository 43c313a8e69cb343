import { ContractViolation, type Exchange } from './exchange.ts';
import {
  componentValidator, describeErrors, documentedResponse, errorStatusByCode, findOperation, isRateLimited, validatorFor,
  type Json, type Operation, type ResponseSpec,
} from './spec.ts';

const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
const errorEnvelope = componentValidator('Error');

function mediaType(exchange: Exchange): string {
  return (exchange.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function headerDepartures(exchange: Exchange, op: Operation, documented: ResponseSpec): string[] {
  const found: string[] = [];
  for (const [name, header] of Object.entries(documented.headers)) {
    const value = exchange.headers.get(name);
    if (value === null) {
      if (header.required) found.push(`the published header ${name} is missing`);
      continue;
    }
    if (header.schema === undefined) continue;
    const isInteger = header.schema.type === 'integer';
    if (isInteger && !/^\d+$/.test(value)) {
      found.push(`header ${name}: ${JSON.stringify(value)} is not an integer`);
      continue;
    }
    const validate = validatorFor(header.schema);
    if (!validate(isInteger ? Number(value) : value)) found.push(`header ${name}: ${JSON.stringify(value)} ${describeErrors(validate.errors)}`);
  }
  // The published X-RateLimit-* headers ride on every answer of a limited operation once the key is known.
  if (isRateLimited(op) && exchange.status !== 401) {
    const missing = RATE_LIMIT_HEADERS.filter((name) => !exchange.headers.has(name));
    if (missing.length > 0) found.push(`${op.method} ${op.path} is rate limited but the answer lacks ${missing.join(', ')}`);
  }
  return found;
}

function bodyDepartures(exchange: Exchange, documented: ResponseSpec): string[] {
  const content = documented.content;
  if (content === undefined) return [];
  if (!(mediaType(exchange) in content)) {
    return [`Content-Type is ${JSON.stringify(exchange.headers.get('content-type'))}; the spec documents ${Object.keys(content).join(', ')}`];
  }
  const schema = content[mediaType(exchange)]?.schema;
  if (schema === undefined) return [];
  if (exchange.json === undefined) return ['the body is not JSON'];
  const validate = validatorFor(schema as Json);
  return validate(exchange.json) ? [] : [`the body does not match the spec's schema: ${describeErrors(validate.errors)}`];
}

/** Envelope rules the spec's schema cannot say: a code of the right status and the request's own id. */
function errorDepartures(exchange: Exchange): string[] {
  if (exchange.status < 400) return [];
  if (!errorEnvelope(exchange.json)) return [`the error is not in the {"error":{code,message,requestId}} envelope: ${describeErrors(errorEnvelope.errors)}`];
  const { code, requestId } = (exchange.json as { error: { code: string; requestId: string } }).error;
  const found: string[] = [];
  const expectedStatus = errorStatusByCode.get(code);
  if (expectedStatus !== exchange.status) found.push(`error code ${code} belongs with HTTP ${expectedStatus}, not ${exchange.status}`);
  const replayed = exchange.headers.get('idempotent-replayed') === 'true';
  const answerId = replayed ? exchange.headers.get('original-request-id') : exchange.headers.get('x-request-id');
  if (requestId !== answerId) {
    found.push(`error.requestId ${JSON.stringify(requestId)} differs from ${replayed ? 'Original-Request-Id' : 'X-Request-Id'} ${JSON.stringify(answerId)}`);
  }
  return found;
}

/** Every way this answer departs from what the spec documents for its operation. */
export function conformanceDepartures(exchange: Exchange): string[] {
  const found: string[] = [];
  if (exchange.status >= 500) found.push(`HTTP ${exchange.status}: the server failed`);
  const pathname = exchange.request.path.split('?')[0]!;
  // HEAD is GET without the body (RFC 9110): held to GET's status and headers only.
  const head = exchange.request.method === 'HEAD';
  const op = findOperation(head ? 'GET' : exchange.request.method, pathname);
  if (op === undefined) {
    // No such operation: the answer must still be a 4xx in the envelope, with its request id.
    if (exchange.status < 400) found.push(`${exchange.request.method} ${pathname} is no operation of the spec, yet it answered ${exchange.status}`);
    if (!exchange.headers.has('x-request-id')) found.push('the published header X-Request-Id is missing');
    if (!/^application\/json$/.test(mediaType(exchange))) found.push(`Content-Type is ${JSON.stringify(exchange.headers.get('content-type'))}, not application/json`);
    return [...found, ...errorDepartures(exchange)];
  }
  const documented = documentedResponse(op, exchange.status);
  if (documented === undefined) {
    found.push(`HTTP ${exchange.status} is not a status the spec documents for ${op.id} (${Object.keys(op.spec.responses).join(', ')})`);
    return [...found, ...errorDepartures(exchange)];
  }
  if (head) return [...found, ...headerDepartures(exchange, op, documented)];
  return [...found, ...headerDepartures(exchange, op, documented), ...bodyDepartures(exchange, documented), ...errorDepartures(exchange)];
}

export function assertConforms(exchange: Exchange): void {
  const departures = conformanceDepartures(exchange);
  if (departures.length > 0) {
    throw new ContractViolation(`The answer departs from spec/openapi.yaml:\n  - ${departures.join('\n  - ')}`, [exchange]);
  }
}

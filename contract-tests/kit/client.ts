import { setTimeout as delay } from 'node:timers/promises';
import type { components } from '../generated/openapi.ts';
import { assertConforms } from './conformance.ts';
import { ContractViolation, reproduce, TargetUnreachable, type Exchange } from './exchange.ts';
import { DEFAULT_MAX_RETRY_WAIT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type Target } from './target.ts';

export type Order = components['schemas']['Order'];
export type OrderList = components['schemas']['OrderList'];
export type CreateOrderRequest = components['schemas']['CreateOrderRequest'];
export type ErrorEnvelope = components['schemas']['Error'];
export type Refill = components['schemas']['Refill'];
export type SandboxClock = components['schemas']['SandboxClock'];
export type WebhookTestResult = components['schemas']['WebhookTestResult'];

/** 429s waited out for one call before its 429 is taken as the answer. */
export const MAX_RATE_LIMIT_WAITS = 5;

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The API path, such as `/orders/ord_1`. */
  path: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is; set Content-Type yourself. */
  body?: string;
}

export interface SendOptions {
  /** Check the answer against the spec (default true). Only capability probes turn this off. */
  conformance?: boolean;
  /** On a 429, wait out Retry-After and send again (default true). The rate-limit checks turn it off. */
  waitOutRateLimit?: boolean;
}

/**
 * Speaks HTTP to the target with one API key (or none), checks every answer against the spec,
 * and records every exchange with a curl line that reproduces it.
 */
export class Client {
  readonly exchanges: Exchange[] = [];

  constructor(private readonly target: Target, readonly apiKey: string | undefined) {}

  async send(call: Call, options: SendOptions = {}): Promise<Exchange> {
    for (let waited = 0; ; waited++) {
      const exchange = await this.exchange(call);
      this.exchanges.push(exchange);
      if (options.conformance !== false) assertConforms(exchange);
      // A target that answers 429 whatever the wait (`Retry-After: 0` each time) would hold the run forever.
      if (exchange.status !== 429 || options.waitOutRateLimit === false || waited === MAX_RATE_LIMIT_WAITS) return exchange;
      await this.waitOut(exchange);
    }
  }

  createOrder(body: unknown, idempotencyKey?: string): Promise<Exchange> {
    return this.send({ method: 'POST', path: '/orders', json: body, ...(idempotencyKey === undefined ? {} : { headers: { 'Idempotency-Key': idempotencyKey } }) });
  }

  getOrder(orderId: string): Promise<Exchange> {
    return this.send({ method: 'GET', path: `/orders/${encodeURIComponent(orderId)}` });
  }

  cancelOrder(orderId: string): Promise<Exchange> {
    return this.send({ method: 'DELETE', path: `/orders/${encodeURIComponent(orderId)}` });
  }

  listOrders(query: Record<string, string | number> = {}): Promise<Exchange> {
    return this.send({ method: 'GET', path: '/sandbox/orders', query });
  }

  reset(): Promise<Exchange> {
    return this.send({ method: 'POST', path: '/sandbox/reset' });
  }

  /** `POST /sandbox/orders/{orderId}/advance`, with `{"to": to}` when given. */
  advanceOrder(orderId: string, to?: Order['status']): Promise<Exchange> {
    return this.send({ method: 'POST', path: `/sandbox/orders/${encodeURIComponent(orderId)}/advance`, ...(to === undefined ? {} : { json: { to } }) });
  }

  getClock(): Promise<Exchange> {
    return this.send({ method: 'GET', path: '/sandbox/clock' });
  }

  advanceClock(seconds: number): Promise<Exchange> {
    return this.send({ method: 'POST', path: '/sandbox/clock/advance', json: { seconds } });
  }

  createRefill(body: unknown, idempotencyKey?: string): Promise<Exchange> {
    return this.send({ method: 'POST', path: '/refills', json: body, ...(idempotencyKey === undefined ? {} : { headers: { 'Idempotency-Key': idempotencyKey } }) });
  }

  getRefill(refillId: string): Promise<Exchange> {
    return this.send({ method: 'GET', path: `/refills/${encodeURIComponent(refillId)}` });
  }

  sendTestWebhook(body?: unknown): Promise<Exchange> {
    return this.send({ method: 'POST', path: '/webhooks/test', ...(body === undefined ? {} : { json: body }) });
  }

  private async exchange(call: Call): Promise<Exchange> {
    const search = new URLSearchParams(Object.entries(call.query ?? {}).map(([name, value]) => [name, String(value)])).toString();
    const path = search === '' ? call.path : `${call.path}?${search}`;
    const url = `${this.target.baseUrl.replace(/\/+$/, '')}${path}`;
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers['X-API-Key'] = this.apiKey;
    if (call.json !== undefined) headers['Content-Type'] = 'application/json';
    Object.assign(headers, call.headers);
    const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;
    const sendsConfiguredKey = this.target.apiKey !== undefined && Object.entries(headers)
      .some(([name, value]) => name.toLowerCase() === 'x-api-key' && value === this.target.apiKey);
    const request = { method: call.method, path, url, headers, ...(body === undefined ? {} : { body }), sendsConfiguredKey };

    let response: Response;
    let text: string;
    try {
      ({ response, text } = await this.answerWithin(url, { method: call.method, headers, ...(body === undefined ? {} : { body }) }));
    } catch (error) {
      throw new TargetUnreachable(`The target could not be reached (${describeFetchError(error)}).\n${reproduce([{ request }])}`, { cause: error });
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { request, status: response.status, headers: response.headers, text, json };
  }

  /**
   * The answer and its body, or a NoAnswer once the request timeout passes: a target that takes
   * the connection and never answers would otherwise hold the run for minutes. The signal stops
   * a network fetch; the race also stops a fetch that ignores it (an in-process server's).
   */
  private async answerWithin(url: string, init: RequestInit): Promise<{ response: Response; text: string }> {
    const timeoutMs = this.target.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new NoAnswer(timeoutMs)), { once: true });
    });
    const answered = (async () => {
      const response = await this.target.fetch(new Request(url, { ...init, signal }));
      return { response, text: await bodyWithin(response, MAX_ANSWER_BYTES) };
    })();
    // Whichever loses is settled later; it must not surface as an unhandled rejection.
    answered.catch(() => {});
    timedOut.catch(() => {});
    try {
      return await Promise.race([answered, timedOut]);
    } catch (error) {
      throw signal.aborted ? new NoAnswer(timeoutMs) : error;
    }
  }

  /** Respects the target's Retry-After before sending again. */
  private async waitOut(exchange: Exchange): Promise<void> {
    const retryAfter = exchange.headers.get('retry-after');
    const waitMs = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : Number.NaN;
    const limit = this.target.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    if (!(waitMs <= limit)) {
      throw new ContractViolation(
        `Rate limited with Retry-After ${JSON.stringify(retryAfter)}, which is not a wait of at most ${limit} ms the kit can respect`, [exchange],
      );
    }
    await delay(waitMs);
  }
}

/** No answer of the API comes near this; a body without end would otherwise fill the heap before the timeout. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** The body as text, or an OversizedAnswer as soon as it runs past `limit` bytes. */
export async function bodyWithin(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => {});
      throw new OversizedAnswer(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** A request the target took but did not answer within the request timeout. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`);
  }
}

/** A request the target answered with a body longer than the kit reads. */
export class OversizedAnswer extends NoAnswer {
  override name = 'OversizedAnswer';

  constructor(readonly limitBytes: number) {
    super(0);
    this.message = `an answer whose body runs past ${limitBytes / 1024 / 1024} MiB`;
  }
}

/** `fetch failed` says little; its cause (`connect ECONNREFUSED 127.0.0.1:9`) says what happened. */
export function describeFetchError(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } };
  return [message, cause?.message].filter((part) => typeof part === 'string' && part !== '').join(': ') || String(error);
}

/** The `error` member of an envelope, or undefined. */
export function errorOf(exchange: Exchange): ErrorEnvelope['error'] | undefined {
  return (exchange.json as Partial<ErrorEnvelope> | undefined)?.error;
}

export function orderOf(exchange: Exchange): Order {
  return exchange.json as Order;
}

export function orderListOf(exchange: Exchange): OrderList {
  return exchange.json as OrderList;
}

export function refillOf(exchange: Exchange): Refill {
  return exchange.json as Refill;
}

/**
 * What the sandbox logs: one entry per request it answered and per webhook attempt it made. Plain
 * data, so a test, a dashboard or a coverage count can take the entries as they come
 * (`createSandbox({ log: (entry) => … })`) as well as a terminal.
 */
import { createHash } from 'node:crypto';
import type { ErrorCode } from '../api-types.ts';
import type { FaultKind } from '../http/faults.ts';
import type { OperationId } from '../http/respond.ts';
import type { WebhookEventType } from '../webhooks/events.ts';
import type { AttemptReport } from '../webhooks/webhook-service.ts';

/** What is known of one answered request, the key aside: a log entry's body, and an entry of the key's journal. */
export interface RequestFacts {
  /** When the request arrived (real time, RFC 3339 with milliseconds). */
  time: string;
  method: string;
  /** The path as routed (no query string), at most 300 characters; may hold any character a client sent. */
  path: string;
  /** The spec's operation served; absent for an unknown route or a CORS preflight. */
  operationId?: OperationId;
  /** The status answered; null when an injected fault dropped the connection or lost the answer. */
  status: number | null;
  /** The error's code, for an error answer (a replayed stored refusal included). */
  errorCode?: ErrorCode;
  /** Real milliseconds from arrival to the answer (to the throw, for a dropped connection). */
  durationMs: number;
  /** The answer's X-Request-Id; absent for a CORS preflight, answered before any route. */
  requestId?: string;
  /** The answer was an idempotent replay (`Idempotent-Replayed: true`). */
  replayed: boolean;
  /** The fault injected, by header or by `faultRate`. */
  fault?: FaultKind;
}

export interface RequestLogEntry extends RequestFacts {
  kind: 'request';
  /** Fingerprint of the X-API-Key sent (see `keyFingerprint`); absent when none was. */
  key?: string;
}

export interface WebhookLogEntry {
  kind: 'webhook';
  /** When the attempt finished (real time). */
  time: string;
  /** Fingerprint of the API key whose event it is. */
  key: string;
  /** The endpoint; absent for a test event sent to a URL no endpoint has. */
  endpointId?: string;
  url: string;
  eventId: string;
  eventType: WebhookEventType;
  /** 1 for the first attempt. */
  attempt: number;
  /** The receiver's status; null when it did not answer (see `error`). */
  status: number | null;
  succeeded: boolean;
  error?: string;
  /** Real milliseconds the attempt took; 0 when nothing was sent (an event dead-lettered for lack of room). */
  durationMs: number;
  /** When the next attempt falls due on the key's clock, if there is one. */
  nextRetryAt?: string;
  /** No attempt follows: the event is given up. */
  deadLettered: boolean;
}

export type LogEntry = RequestLogEntry | WebhookLogEntry;

/** Where entries go: called once per entry, after the answer is made; what it throws is dropped. */
export type LogSink = (entry: LogEntry) => void;

/** The `log` option: a format written to stdout, nothing, or your own sink. */
export type LogSetting = 'pretty' | 'json' | 'off' | LogSink;
export const LOG_FORMATS = ['pretty', 'json', 'off'] as const;

let second = Number.NaN;
let secondText = '';

/**
 * `new Date(ms).toISOString()`, with the text of the current second kept: making a Date and its
 * text for every request would cost the log more than the rest of the entry.
 */
export function isoWithMillis(ms: number): string {
  const whole = Math.floor(ms / 1000);
  if (whole !== second) {
    second = whole;
    secondText = new Date(whole * 1000).toISOString().slice(0, -4);
  }
  return `${secondText}${String(Math.floor(ms - whole * 1000)).padStart(3, '0')}Z`;
}

const MAX_FINGERPRINTS = 10_000;
const fingerprints = new Map<string, string>();

/**
 * A short name for an API key that does not reveal it: the first 8 hex digits of its SHA-256.
 * Enough to tell a team's keys apart in a log; never the key.
 */
export function keyFingerprint(key: string): string {
  let fingerprint = fingerprints.get(key);
  if (fingerprint === undefined) {
    // Bounded: a client sending random keys cannot grow it without end.
    if (fingerprints.size >= MAX_FINGERPRINTS) fingerprints.clear();
    fingerprint = createHash('sha256').update(key).digest('hex').slice(0, 8);
    fingerprints.set(key, fingerprint);
  }
  return fingerprint;
}

/** The entry for a webhook attempt of `tenant`'s, finished at `now` (real ms). */
export function webhookEntry(tenant: string, { endpointId, url, delivery, durationMs }: AttemptReport, now: number): WebhookLogEntry {
  return {
    kind: 'webhook',
    time: isoWithMillis(now),
    key: keyFingerprint(tenant),
    ...(endpointId === undefined ? {} : { endpointId }),
    url,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt: delivery.attempt,
    status: delivery.responseStatus,
    succeeded: delivery.succeeded,
    ...(delivery.error === null ? {} : { error: delivery.error }),
    durationMs,
    ...(delivery.nextRetryAt === null ? {} : { nextRetryAt: delivery.nextRetryAt }),
    deadLettered: delivery.deadLettered,
  };
}

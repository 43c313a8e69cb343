import type { LogEntry, RequestLogEntry, WebhookLogEntry } from './entry.ts';

/**
 * Characters a terminal may act on or that would make a line lie: control characters (C0, DEL,
 * C1, which carry ANSI escapes), line and paragraph separators, and bidirectional overrides.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Visible ASCII but the backslash: nothing to escape (most paths). */
const PLAIN = /^[\x21-\x5b\x5d-\x7e]*$/;
const hex = (char: string, width: number) => char.charCodeAt(0).toString(16).padStart(width, '0');

/** Text a client chose, safe on one line of a terminal: unsafe characters, spaces and backslashes escaped. */
export function printable(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.replace(/[\\ ]/g, (char) => (char === ' ' ? '\\x20' : '\\\\'))
    .replace(UNSAFE, (char) => (char.charCodeAt(0) <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`));
}

/** JSON leaves DEL, C1 and the separators raw: escaped too. */
const safeJson = (value: unknown) => JSON.stringify(value).replace(UNSAFE, (char) => `\\u${hex(char, 4)}`);

/** One JSON object on one line. */
export function jsonLine(entry: LogEntry): string {
  return safeJson(entry);
}

const duration = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;

function prettyRequest(entry: RequestLogEntry): string {
  const parts = [entry.time, printable(entry.method), printable(entry.path), entry.status === null ? 'no-answer' : String(entry.status)];
  if (entry.errorCode !== undefined) parts.push(entry.errorCode);
  parts.push(duration(entry.durationMs), entry.requestId ?? '-', `key:${entry.key ?? '-'}`);
  if (entry.replayed) parts.push('replayed');
  if (entry.fault !== undefined) parts.push(`fault:${entry.fault}`);
  return parts.join(' ');
}

function prettyWebhook(entry: WebhookLogEntry): string {
  const parts = [entry.time, 'webhook', entry.eventType, entry.eventId, '->', printable(entry.url)];
  if (entry.endpointId !== undefined) parts.push(`(${entry.endpointId})`);
  parts.push(`attempt:${entry.attempt}`, entry.status === null ? 'no-answer' : String(entry.status));
  if (!entry.succeeded && entry.error !== undefined) parts.push(safeJson(entry.error));
  parts.push(duration(entry.durationMs), `key:${entry.key}`);
  if (entry.nextRetryAt !== undefined) parts.push(`retry-at:${entry.nextRetryAt}`);
  if (entry.deadLettered) parts.push('dead-lettered');
  return parts.join(' ');
}

/** One line for a person reading a terminal. */
export function prettyLine(entry: LogEntry): string {
  return entry.kind === 'request' ? prettyRequest(entry) : prettyWebhook(entry);
}

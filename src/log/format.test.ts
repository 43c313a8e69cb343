import { describe, expect, it } from 'vitest';
import type { RequestLogEntry, WebhookLogEntry } from './entry.ts';
import { isoWithMillis, keyFingerprint } from './entry.ts';
import { jsonLine, prettyLine, printable } from './format.ts';

const REQUEST: RequestLogEntry = {
  kind: 'request', time: '2025-06-02T12:00:00.000Z', method: 'POST', path: '/orders', operationId: 'createOrder',
  status: 409, errorCode: 'idempotency_key_conflict', durationMs: 1.234, requestId: 'req_1', replayed: false, key: 'ba7816bf',
};

const WEBHOOK: WebhookLogEntry = {
  kind: 'webhook', time: '2025-06-02T12:00:01.000Z', key: 'ba7816bf', endpointId: 'we_1', url: 'http://127.0.0.1:9/hook',
  eventId: 'evt_1', eventType: 'order.created', attempt: 5, status: null, succeeded: false, error: 'Could not connect', durationMs: 12.6,
  deadLettered: true,
};

/** Every character a terminal could act on, in a path a client chose. */
const HOSTILE = '/orders/a\nb\r\u001b[31mred\u0007\u009b2J\u007f\u2028\u202eevil\\ x';

describe('a log line', () => {
  it('says what a request got, in a fixed order', () => {
    expect(prettyLine(REQUEST)).toBe('2025-06-02T12:00:00.000Z POST /orders 409 idempotency_key_conflict 1.2ms req_1 key:ba7816bf');
    expect(prettyLine({ ...REQUEST, status: 201, errorCode: undefined, durationMs: 12.6, replayed: true, fault: 'lost-response' } as RequestLogEntry))
      .toBe('2025-06-02T12:00:00.000Z POST /orders 201 13ms req_1 key:ba7816bf replayed fault:lost-response');
    expect(prettyLine({ ...REQUEST, status: null, errorCode: undefined, key: undefined, requestId: undefined } as RequestLogEntry))
      .toBe('2025-06-02T12:00:00.000Z POST /orders no-answer 1.2ms - key:-');
  });

  it('says what a webhook attempt got, and when it is given up', () => {
    expect(prettyLine(WEBHOOK)).toBe('2025-06-02T12:00:01.000Z webhook order.created evt_1 -> http://127.0.0.1:9/hook (we_1) attempt:5 no-answer "Could not connect" 13ms key:ba7816bf dead-lettered');
    expect(prettyLine({ ...WEBHOOK, attempt: 1, status: 503, error: 'Answered 503', durationMs: 2, deadLettered: false, nextRetryAt: '2025-06-02T12:00:02Z' }))
      .toBe('2025-06-02T12:00:01.000Z webhook order.created evt_1 -> http://127.0.0.1:9/hook (we_1) attempt:1 503 "Answered 503" 2.0ms key:ba7816bf retry-at:2025-06-02T12:00:02Z');
  });

  it('escapes control characters, ANSI escapes, separators, bidi overrides, spaces and backslashes a client sent', () => {
    const line = prettyLine({ ...REQUEST, path: HOSTILE });
    expect(line).toContain(String.raw`/orders/a\x0ab\x0d\x1b[31mred\x07\x9b2J\x7f\u2028\u202eevil\\\x20x`);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
    expect(line.split(' ')).toHaveLength(prettyLine(REQUEST).split(' ').length);
    expect(printable('/orders/ord_1')).toBe('/orders/ord_1');
  });

  it('as JSON is one object on one line, which reads back as the entry, hostile text included', () => {
    const entry = { ...REQUEST, path: HOSTILE };
    const line = jsonLine(entry);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
    expect(JSON.parse(line)).toEqual(entry);
    expect(JSON.parse(jsonLine(WEBHOOK))).toEqual(WEBHOOK);
  });
});

describe('an API key in the log', () => {
  it('is the first 8 hex digits of its SHA-256, never the key', () => {
    expect(keyFingerprint('abc')).toBe('ba7816bf');
    expect(keyFingerprint('sk_test_alice')).toMatch(/^[0-9a-f]{8}$/);
    expect(keyFingerprint('sk_test_alice')).not.toBe(keyFingerprint('sk_test_bob'));
  });
});

describe('the time of an entry', () => {
  it('is the ISO text of the instant, to the millisecond, across seconds, minutes and years', () => {
    const instants = [Date.parse('2025-06-02T12:00:00Z'), Date.parse('2025-06-02T12:00:00.007Z'), Date.parse('2025-06-02T12:00:00.999Z'),
      Date.parse('2025-06-02T12:00:01.000Z'), Date.parse('2025-06-02T12:59:59.500Z'), Date.parse('2025-12-31T23:59:59.999Z'), Date.parse('2026-01-01T00:00:00.001Z'), 0];
    for (const ms of [...instants, ...instants.reverse()]) expect(isoWithMillis(ms)).toBe(new Date(ms).toISOString());
  });
});

import { describe, expect, test } from 'vitest';
import { operation, type Operation } from '../kit/spec.ts';
import { Comparer, type Difference } from './compare.ts';
import { ID_KINDS, IdMap, PUBLISHED_IDS } from './id-map.ts';
import { TIMESTAMP_TOLERANCE_MS, Timeline } from './timeline.ts';

const AT = { recorded: Date.parse('2026-01-01T10:00:00Z'), replayed: Date.parse('2026-06-01T12:00:00Z') };
const later = (ms: number, replayedMs = ms) => ({ recorded: AT.recorded + ms, replayed: AT.replayed + replayedMs });

function compare(comparer: Comparer, recorded: unknown, got: unknown, options: { status?: number; headers?: Record<string, string>; gotHeaders?: Record<string, string>; at?: typeof AT } = {}): Difference[] {
  return comparer.compare({
    operation: operation('getOrder'),
    recorded: { status: options.status ?? 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_a1', ...options.headers }, body: JSON.stringify(recorded) },
    got: { status: options.status ?? 200, headers: new Headers({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_b2', ...options.gotHeaders }), text: JSON.stringify(got) },
    at: options.at ?? AT,
  });
}

describe('ids', () => {
  test('the id kinds come from the spec\'s patterns; request ids and secrets are not among them', () => {
    expect(ID_KINDS.map((kind) => kind.prefix).sort()).toEqual(['evt_', 'ord_', 'pat_', 'ref_', 'rx_', 'we_', 'wh_test_']);
    expect(PUBLISHED_IDS).toContain('rx_test_expired');
    expect(PUBLISHED_IDS).toContain('ord_1234567890');
  });

  test('an assigned id maps to the target\'s, consistently: the same recorded id the same target id, no two recorded ids one target id', () => {
    const comparer = new Comparer();
    expect(compare(comparer, { id: 'ord_up1' }, { id: 'ord_tg1' })).toEqual([]);
    expect(comparer.ids.substitute('/orders/ord_up1/history?x=ord_up1')).toBe('/orders/ord_tg1/history?x=ord_tg1');
    expect(compare(comparer, { id: 'ord_up1' }, { id: 'ord_tg2' })).toEqual([{ path: 'body.id', expected: '"ord_tg1" (the target\'s value for the recorded ord_up1 so far)', got: '"ord_tg2"' }]);
    expect(compare(comparer, { id: 'ord_up2' }, { id: 'ord_tg1' })).toEqual([{ path: 'body.id', expected: 'the target\'s value for ord_up2', got: '"ord_tg1", which already stands for the recorded ord_up1' }]);
  });

  test('published test data and ids the client chose are compared as they are', () => {
    const comparer = new Comparer();
    expect(compare(comparer, { patientId: 'pat_test_001' }, { patientId: 'pat_test_002' })).toEqual([{ path: 'body.patientId', expected: '"pat_test_001"', got: '"pat_test_002"' }]);
    comparer.ids.noteSent('/orders/ord_mine');
    expect(compare(comparer, { id: 'ord_mine' }, { id: 'ord_other' })).toEqual([{ path: 'body.id', expected: '"ord_mine"', got: '"ord_other"' }]);
  });

  test('a Location header pairs its ids; a cursor maps as a whole in a later query', () => {
    const comparer = new Comparer();
    expect(compare(comparer, { nextCursor: 'abc==' }, { nextCursor: 'xyz+/' }, { headers: { location: '/orders/ord_up9' }, gotHeaders: { location: '/orders/ord_tg9' } })).toEqual([]);
    expect(comparer.ids.get('ord_up9')).toBe('ord_tg9');
    expect(comparer.ids.substituteQuery('limit=1&cursor=abc%3D%3D')).toBe('limit=1&cursor=xyz%2B%2F');
  });
});

describe('volatile values', () => {
  test('request ids, secrets, signatures, tracking numbers and rate-limit values by their published form only', () => {
    const comparer = new Comparer();
    const recorded = { error: { code: 'rate_limit_exceeded', message: 'Too many', requestId: 'req_up', details: { retryAfter: 12 } }, secret: 'secret#1', signature: 'a'.repeat(64), trackingNumber: '1Z999AA10123456784' };
    const got = { error: { code: 'rate_limit_exceeded', message: 'Slow down', requestId: 'req_tg', details: { retryAfter: 3 } }, secret: 'whsec_abc', signature: 'b'.repeat(64), trackingNumber: '123456789012' };
    expect(compare(comparer, recorded, { ...got, trackingNumber: '000000000001' }, { headers: { 'retry-after': '12' }, gotHeaders: { 'retry-after': '3' } }))
      .toEqual([{ path: 'body.trackingNumber', expected: 'a tracking number (recorded a UPS one)', got: '"000000000001": its FedEx check digit is 1, but the digits before it give 0' }]);
    expect(compare(new Comparer(), recorded, { ...got, trackingNumber: '020207021386' })).toEqual([]);
    expect(compare(new Comparer(), recorded, { ...got, secret: 'plain', trackingNumber: '020207021386', error: { ...got.error, requestId: 'nope' } }).map((difference) => difference.path))
      .toEqual(['body.error.requestId', 'body.secret']);
  });

  test('a missing published header, a missing member, an extra one and a changed type are differences of shape', () => {
    const differences = compare(new Comparer(), { a: 1, b: [1, 2] }, { a: '1', c: true, b: [1] }, { headers: { 'x-ratelimit-limit': '100' } });
    expect(differences).toEqual([
      { path: 'header X-RateLimit-Limit', expected: 'present', got: 'absent' },
      { path: 'body.a', expected: 'a number', got: '"1"' },
      { path: 'body.b.length', expected: '2', got: '1' },
      { path: 'body.c', expected: 'absent', got: 'present (true)' },
    ]);
  });
});

describe('timestamps, by order and spacing', () => {
  test('the first differing pair is the reference; later ones keep their spacing within the tolerance plus the replay\'s change of pace', () => {
    const timeline = new Timeline();
    expect(timeline.compare('2025-01-15T15:00:00Z', '2025-01-15T15:00:00Z', AT)).toBeUndefined();
    expect(timeline.compare('2026-01-01T10:00:00Z', '2026-06-01T12:00:00Z', AT)).toBeUndefined();
    // An hour of virtual time later on both sides, recorded and replayed at the same pace.
    expect(timeline.compare('2026-01-01T11:00:01Z', '2026-06-01T13:00:00Z', later(100))).toBeUndefined();
    expect(timeline.compare('2026-01-01T11:00:00Z', '2026-06-01T12:00:00Z', later(100))).toMatchObject({ expected: expect.stringMatching(/^\+3600 s from the reference timestamp, within \+2 s \(recorded 2026-01-01T11:00:00Z\)$/) });
    // A recording that took a minute, replayed in a second: the minute is allowed for.
    expect(timeline.compare('2026-01-01T10:01:00Z', '2026-06-01T12:00:01Z', later(60_000, 1_000))).toBeUndefined();
    expect(TIMESTAMP_TOLERANCE_MS).toBe(2_000);
  });

  test('within one answer, timestamps keep their order where the recorded ones lay more than the tolerance apart', () => {
    const comparer = new Comparer();
    compare(comparer, { createdAt: '2026-01-01T10:00:00Z' }, { createdAt: '2026-06-01T12:00:00Z' });
    // The same second when recorded, neighbouring seconds on the target: no difference.
    expect(compare(comparer, { createdAt: '2026-01-01T10:00:00Z', updatedAt: '2026-01-01T10:00:00Z' }, { createdAt: '2026-06-01T12:00:00Z', updatedAt: '2026-06-01T12:00:01Z' })).toEqual([]);
    const differences = compare(comparer, { updatedAt: '2026-01-01T10:00:03Z', createdAt: '2026-01-01T10:00:00Z' }, { updatedAt: '2026-06-01T12:00:01.500Z', createdAt: '2026-06-01T12:00:01.900Z' });
    expect(differences).toEqual([{
      path: 'body.createdAt',
      expected: 'before the answer\'s previous timestamp, as recorded (2026-01-01T10:00:03Z then 2026-01-01T10:00:00Z)',
      got: '2026-06-01T12:00:01.500Z then 2026-06-01T12:00:01.900Z',
    }]);
  });
});

test('a body the recorder cut short is not compared; its status and headers are', () => {
  const differences = new Comparer().compare({
    operation: operation('getOrder'),
    recorded: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"ord_up1","sta', truncated: true } as never,
    got: { status: 404, headers: new Headers({ 'content-type': 'application/json' }), text: '{"error":{}}' },
    at: AT,
  });
  expect(differences).toEqual([{ path: 'status', expected: '200', got: '404' }]);
});

test('a value of a oneOf takes the same branch: a different one is named', () => {
  const events: Operation = {
    id: 'events', method: 'GET', path: '/events', planned: false, tags: [], matches: () => true,
    spec: { operationId: 'events', responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } } } } },
  };
  const created = { id: 'evt_up1', type: 'order.created', createdAt: '2026-01-01T10:00:00Z', data: { orderId: 'ord_up1', patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status: 'pending' } };
  const processing = { id: 'evt_tg1', type: 'order.processing', createdAt: '2026-06-01T12:00:00Z', data: { orderId: 'ord_tg1', status: 'pending' } };
  const differences = new Comparer().compare({
    operation: events,
    recorded: { status: 200, headers: {}, body: JSON.stringify(created) },
    got: { status: 200, headers: new Headers(), text: JSON.stringify(processing) },
    at: AT,
  });
  expect(differences[0]).toEqual({ path: 'body (schema branch)', expected: 'OrderCreatedEvent', got: 'OrderStatusEvent' });
  expect(differences.map((difference) => difference.path)).toEqual(['body (schema branch)', 'body.type', 'body.data.patientId', 'body.data.prescriptionId']);
});

describe('another kind of answer', () => {
  test('an error where a success was recorded is said as its status and code, not as every member missing', () => {
    const comparer = new Comparer();
    const found = comparer.compare({
      operation: operation('getOrder'),
      recorded: { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_a1' }, body: JSON.stringify({ id: 'ord_up1', status: 'pending', createdAt: '2026-01-01T10:00:00Z' }) },
      got: { status: 404, headers: new Headers({ 'content-type': 'application/json', 'x-request-id': 'req_b2' }), text: JSON.stringify({ error: { code: 'not_found', message: 'No order', requestId: 'req_b2' } }) },
      at: AT,
    });
    expect(found).toEqual([
      { path: 'status', expected: '200', got: '404' },
      { path: 'body.error.code', expected: 'absent', got: '"not_found"' },
    ]);
  });
});

describe('bodies nested deeper than a call stack', () => {
  const nested = (depth: number, inner: string) => `{"note":${'['.repeat(depth)}${inner}${']'.repeat(depth)}}`;
  const compareTexts = (recorded: string, got: string) => new Comparer().compare({
    operation: undefined,
    recorded: { status: 200, headers: { 'content-type': 'application/json' }, body: recorded },
    got: { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: got },
    at: AT,
  });

  test('the same deep value on both sides: no difference, no stack overflow', () => {
    expect(compareTexts(nested(100_000, '1'), nested(100_000, '1'))).toEqual([]);
  });

  test('a deep value that differs far down: one difference where comparing stops going deeper', () => {
    const differences = compareTexts(nested(100_000, '1'), nested(100_000, '2'));
    expect(differences).toHaveLength(1);
    expect(differences[0]!.path).toBe(`body.note${'[0]'.repeat(63)}`);
    expect(differences[0]!.got).toBe('an array nested deeper than 64 levels, not the same (compared as a whole this deep)');
  });

  test('a deep value where a shallow one was recorded: shown by its kind, not printed', () => {
    expect(compareTexts('{"note":"text"}', nested(100_000, '1'))).toEqual([{ path: 'body.note', expected: 'a string', got: 'an array nested deeper than 64 levels' }]);
  });
});

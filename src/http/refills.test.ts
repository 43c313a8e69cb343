import { afterEach, describe, expect, it } from 'vitest';
import type { Refill } from '../api-types.ts';
import { isoTime, ManualClock } from '../clock.ts';
import { REFILL_OUTCOMES, REFILL_REFUSALS } from '../domain/magic-values.ts';
import { TEST_PRESCRIPTIONS } from '../domain/prescriptions.ts';
import type { StatusChange } from '../domain/records.ts';
import { TEST_ORDER_ID, TEST_PATIENT_IDS, TEST_PRESCRIPTION_IDS } from '../domain/test-data.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { isRefusal, refillMagicValues } from '../spec-extensions.ts';
import { schemaTest } from '../validation.ts';
import { verifyWebhookSignature } from '../webhooks/signature.ts';
import type { SendResult, WebhookSender } from '../webhooks/webhook-service.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox.ts';
import { sandboxCaller, type Reply } from '../../test/support/sandbox-caller.ts';

/** A Monday, so business days are easy to count. */
const START = Date.parse('2025-02-03T15:00:00Z');
const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;
const KEY_A = 'key_a';
const KEY_B = 'key_b';
const HOOK_URL = 'http://127.0.0.1:9/hooks/refills';

/** rx_9876543210: 30 per fill, 5 refills, 30 days' supply (a new refill 22.5 days after the last). */
const VALID = { prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890' };

const isRefill = schemaTest('Refill');
const isRefillHistory = schemaTest('RefillHistory');
const isError = schemaTest('Error');
const isWebhookEvent = schemaTest('WebhookEvent');

/** Sandbox time `ms` after START, as the API writes it. */
const at = (ms: number) => isoTime(START + ms);
/** The UTC date `ms` after START. */
const dateAt = (ms: number) => at(ms).slice(0, 10);

let opened: Sandbox[] = [];

afterEach(() => {
  for (const sandbox of opened) sandbox.close();
  opened = [];
});

function sandboxWith(options: SandboxOptions = {}): Sandbox {
  const sandbox = createSandbox({ clockMode: 'virtual', startTime: START, sweepIntervalMs: 0, rateLimit: false, ...options });
  opened.push(sandbox);
  return sandbox;
}


/** One API key's view of a sandbox. */
function client(sandbox: Sandbox, apiKey = KEY_A) {
  const call = sandboxCaller(sandbox, apiKey);
  const expectOk = (reply: Reply, status = 200) => {
    expect(reply.status, reply.text).toBe(status);
    return reply.body;
  };
  const request = (body: unknown = VALID, headers: Record<string, string> = {}) => call('POST', '/refills', body, headers);
  return {
    call,
    request,
    create: async (body: unknown = VALID, headers: Record<string, string> = {}): Promise<Refill> => expectOk(await request(body, headers), 201),
    refill: async (refillId: string): Promise<Refill> => expectOk(await call('GET', `/refills/${refillId}`)),
    history: async (refillId: string): Promise<StatusChange<Refill['status']>[]> => expectOk(await call('GET', `/sandbox/refills/${refillId}/history`)).history,
    advance: async (ms: number) => expectOk(await call('POST', '/sandbox/clock/advance', { seconds: ms / SECOND })),
    register: async (events?: string[]) => expectOk(await call('POST', '/sandbox/webhook-endpoints', { url: HOOK_URL, ...(events === undefined ? {} : { events }) }), 201),
  };
}

/** A fresh sandbox and key A's client. */
function setup(options: SandboxOptions = {}) {
  const sandbox = sandboxWith(options);
  return { sandbox, api: client(sandbox) };
}

/** A fresh sandbox, key A's client, and one refill key A requested at START. */
async function withRefill(body: unknown = VALID, options: SandboxOptions = {}) {
  const { sandbox, api } = setup(options);
  const refill = await api.create(body);
  return { sandbox, api, refill };
}

const statuses = (history: StatusChange<string>[]) => history.map((change) => change.status);
const timeline = (history: StatusChange<string>[]) => history.map(({ status, at: time }) => [status, time]);

/** A WebhookSender that records every call and answers 200. */
function recordingSender() {
  const calls: { url: string; body: string; headers: Record<string, string> }[] = [];
  const send: WebhookSender = async (url, body, headers): Promise<SendResult> => {
    calls.push({ url, body, headers });
    return { status: 200, error: null };
  };
  const events = () => calls.map((call) => JSON.parse(call.body));
  return { calls, send, events, types: () => events().map((event) => event.type as string) };
}

// ---------------------------------------------------------------------------------------------

describe('POST /refills: the created refill', () => {
  it('answers 201 with a body that matches the spec\'s Refill schema', async () => {
    const reply = await setup().api.request();
    expect(reply.status).toBe(201);
    expect(isRefill(reply.body)).toBe(true);
  });

  it('gives the refill a ref_ id', async () => {
    const { refill } = await withRefill();
    expect(refill.id).toMatch(/^ref_[A-Za-z0-9_]+$/);
  });

  it('gives each refill its own id', async () => {
    const { api, refill } = await withRefill();
    const other = await api.create({ prescriptionId: 'rx_test_001', patientId: 'pat_test_001' });
    expect(other.id).not.toBe(refill.id);
  });

  it('creates the refill pending at the clock time, echoing the ids', async () => {
    const { refill } = await withRefill();
    expect(refill).toMatchObject({ ...VALID, status: 'pending', createdAt: at(0) });
  });

  it.each(Object.entries(TEST_PRESCRIPTIONS))('defaults requestedQuantity to %s\'s quantity per fill', async (prescriptionId, rules) => {
    const { refill } = await withRefill({ prescriptionId, patientId: 'pat_test_001' });
    expect(refill.requestedQuantity).toBe(rules.quantity);
  });

  it('defaults requestedQuantity of an unknown prescription to the default quantity, 30', async () => {
    const { refill } = await withRefill({ prescriptionId: 'rx_unknown_42', patientId: 'pat_unknown_42' });
    expect(refill.requestedQuantity).toBe(30);
  });

  it('keeps a requestedQuantity below the prescription\'s quantity as asked', async () => {
    const { refill } = await withRefill({ ...VALID, requestedQuantity: 12 });
    expect(refill.requestedQuantity).toBe(12);
  });

  it('accepts a requestedQuantity equal to the prescription\'s quantity', async () => {
    const reply = await setup().api.request({ ...VALID, requestedQuantity: 30 });
    expect([reply.status, reply.body.requestedQuantity]).toEqual([201, 30]);
  });

  it('leaves approvedQuantity and estimatedShipDate null while pending', async () => {
    const { refill } = await withRefill();
    expect([refill.approvedQuantity, refill.estimatedShipDate]).toEqual([null, null]);
  });

  it('sends an X-Request-Id of the form req_…', async () => {
    const reply = await setup().api.request();
    expect(reply.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers JSON', async () => {
    const reply = await setup().api.request();
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('reads back unchanged with GET /refills/{refillId} while nothing is due', async () => {
    const { api, refill } = await withRefill();
    expect(await api.refill(refill.id)).toEqual(refill);
  });

  it('starts the history with one pending entry at creation', async () => {
    const { api, refill } = await withRefill();
    expect(await api.history(refill.id)).toEqual([{ status: 'pending', at: at(0), reason: 'Requested' }]);
  });

  it('refuses a request without an API key with 401 unauthorized', async () => {
    const sandbox = sandboxWith();
    const response = await sandbox.request('/refills', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(VALID) });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('unauthorized');
  });
});

describe('the refill lifecycle on a virtual clock', () => {
  it('keeps a refill pending until 4 h have passed', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR - SECOND);
    expect((await api.refill(refill.id)).status).toBe('pending');
  });

  it('approves a refill 4 h after it was requested', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR);
    expect((await api.refill(refill.id)).status).toBe('approved');
  });

  it('sets approvedQuantity to the requested quantity on approval', async () => {
    const { api, refill } = await withRefill({ ...VALID, requestedQuantity: 21 });
    await api.advance(4 * HOUR);
    expect((await api.refill(refill.id)).approvedQuantity).toBe(21);
  });

  it('sets estimatedShipDate one business day after approval', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR);
    // Approved Monday 2025-02-03 19:00 UTC; the next business day is Tuesday.
    expect((await api.refill(refill.id)).estimatedShipDate).toBe('2025-02-04');
  });

  it('skips the weekend in estimatedShipDate for a refill approved on a Friday', async () => {
    const { api, refill } = await withRefill(VALID, { startTime: Date.parse('2025-02-07T15:00:00Z') });
    await api.advance(4 * HOUR);
    expect((await api.refill(refill.id)).estimatedShipDate).toBe('2025-02-10');
  });

  it('keeps an approved refill approved until 4 h more have passed', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR);
    await api.advance(4 * HOUR - SECOND);
    expect((await api.refill(refill.id)).status).toBe('approved');
  });

  it('moves an approved refill to processing 4 h after approval', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR);
    await api.advance(4 * HOUR);
    expect((await api.refill(refill.id)).status).toBe('processing');
  });

  it('keeps a processing refill unshipped until 24 h more have passed', async () => {
    const { api, refill } = await withRefill();
    await api.advance(8 * HOUR);
    await api.advance(DAY - SECOND);
    expect((await api.refill(refill.id)).status).toBe('processing');
  });

  it('ships a processing refill 24 h later', async () => {
    const { api, refill } = await withRefill();
    await api.advance(8 * HOUR);
    await api.advance(DAY);
    expect((await api.refill(refill.id)).status).toBe('shipped');
  });

  it('keeps approvedQuantity and estimatedShipDate once shipped', async () => {
    const { api, refill } = await withRefill();
    await api.advance(4 * HOUR);
    const approved = await api.refill(refill.id);
    await api.advance(2 * DAY);
    const shipped = await api.refill(refill.id);
    expect([shipped.approvedQuantity, shipped.estimatedShipDate]).toEqual([approved.approvedQuantity, approved.estimatedShipDate]);
  });

  it('changes nothing but the status, approvedQuantity and estimatedShipDate along the way', async () => {
    const { api, refill } = await withRefill();
    await api.advance(2 * DAY);
    const { status, approvedQuantity, estimatedShipDate, ...rest } = await api.refill(refill.id);
    const { status: _s, approvedQuantity: _q, estimatedShipDate: _d, ...original } = refill;
    expect(rest).toEqual(original);
  });

  it.each([
    ['pending', 0],
    ['approved', 4 * HOUR],
    ['processing', 8 * HOUR],
    ['shipped', 32 * HOUR],
  ])('matches the spec\'s Refill schema when %s', async (status, ms) => {
    const { api, refill } = await withRefill();
    if (ms > 0) await api.advance(ms);
    const read = await api.refill(refill.id);
    expect(read.status).toBe(status);
    expect(isRefill(read)).toBe(true);
  });

  it('never moves a shipped refill again', async () => {
    const { api, refill } = await withRefill();
    await api.advance(2 * DAY);
    const shipped = await api.refill(refill.id);
    await api.advance(365 * DAY);
    expect(await api.refill(refill.id)).toEqual(shipped);
  });

  it('applies every step in one long advance, each at its due time in the history', async () => {
    const { api, refill } = await withRefill();
    await api.advance(5 * DAY);
    expect(timeline(await api.history(refill.id))).toEqual([
      ['pending', at(0)],
      ['approved', at(4 * HOUR)],
      ['processing', at(8 * HOUR)],
      ['shipped', at(32 * HOUR)],
    ]);
  });

  it('dates estimatedShipDate from the approval time, not from the advance that applied it', async () => {
    const { api, refill } = await withRefill();
    await api.advance(5 * DAY);
    expect((await api.refill(refill.id)).estimatedShipDate).toBe('2025-02-04');
  });

  it('applies the changes to the store before the clock advance answers, with no read', async () => {
    const store = new MemoryStore();
    const { api, refill } = await withRefill(VALID, { store });
    await api.advance(5 * DAY);
    expect(statuses((await store.getRefill(KEY_A, refill.id))!.history)).toEqual(['pending', 'approved', 'processing', 'shipped']);
  });

  it('applies a change that fell due on a real-mode clock when the refill is read', async () => {
    const base = new ManualClock(START);
    const { api, refill } = await withRefill(VALID, { clock: base, clockMode: 'real' });
    base.advance(4 * HOUR);
    expect(await api.refill(refill.id)).toMatchObject({ status: 'approved', approvedQuantity: 30 });
  });

  it('applies a change that fell due on a real-mode clock when only the history is read', async () => {
    const base = new ManualClock(START);
    const { api, refill } = await withRefill(VALID, { clock: base, clockMode: 'real' });
    base.advance(4 * HOUR);
    expect(timeline(await api.history(refill.id))).toEqual([['pending', at(0)], ['approved', at(4 * HOUR)]]);
  });

  it('applies a change that fell due on a real-mode clock on a sweep, with no read', async () => {
    const base = new ManualClock(START);
    const store = new MemoryStore();
    const { sandbox, refill } = await withRefill(VALID, { clock: base, clockMode: 'real', store });
    base.advance(4 * HOUR);
    await sandbox.sweep();
    expect((await store.getRefill(KEY_A, refill.id))!.refill.status).toBe('approved');
  });

  it('gives every history entry a non-empty reason', async () => {
    const { api, refill } = await withRefill();
    await api.advance(5 * DAY);
    for (const change of await api.history(refill.id)) expect(change.reason).toMatch(/\S/);
  });

  it('records the documented reasons for each change', async () => {
    const { api, refill } = await withRefill();
    await api.advance(5 * DAY);
    expect((await api.history(refill.id)).map((change) => change.reason)).toEqual([
      'Requested',
      'Eligibility confirmed; approved',
      'The pharmacy started filling the refill',
      'Handed to the carrier',
    ]);
  });

  it('keeps history times non-decreasing', async () => {
    const { api, refill } = await withRefill();
    await api.advance(3 * HOUR);
    await api.advance(7 * HOUR);
    await api.advance(3 * DAY);
    const times = (await api.history(refill.id)).map((change) => Date.parse(change.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('answers the history in the spec\'s RefillHistory shape, naming the refill', async () => {
    const { api, refill } = await withRefill();
    await api.advance(5 * DAY);
    const reply = await api.call('GET', `/sandbox/refills/${refill.id}/history`);
    expect(isRefillHistory(reply.body)).toBe(true);
    expect(reply.body.refillId).toBe(refill.id);
  });

});

describe('a custom refillTimeline', () => {
  const custom = { approved: HOUR, processing: 2 * HOUR, shipped: 3 * HOUR };

  it('moves a refill on at the configured times', async () => {
    const { api, refill } = await withRefill(VALID, { refillTimeline: custom });
    await api.advance(DAY);
    expect(timeline(await api.history(refill.id))).toEqual([
      ['pending', at(0)],
      ['approved', at(HOUR)],
      ['processing', at(3 * HOUR)],
      ['shipped', at(6 * HOUR)],
    ]);
  });

  it('keeps the refill pending until the configured approval time', async () => {
    const { api, refill } = await withRefill(VALID, { refillTimeline: custom });
    await api.advance(HOUR - SECOND);
    expect((await api.refill(refill.id)).status).toBe('pending');
  });

  it('keeps the defaults for the steps it does not set', async () => {
    const { api, refill } = await withRefill(VALID, { refillTimeline: { approved: HOUR } });
    await api.advance(5 * DAY);
    expect(timeline(await api.history(refill.id))).toEqual([
      ['pending', at(0)],
      ['approved', at(HOUR)],
      ['processing', at(5 * HOUR)],
      ['shipped', at(29 * HOUR)],
    ]);
  });

  it('sets the manual review time of rx_test_review', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_review' }, { refillTimeline: { review: 10 * HOUR } });
    await api.advance(10 * HOUR);
    expect((await api.refill(refill.id)).status).toBe('approved');
  });
});

// ---------------------------------------------------------------------------------------------

const refusals = Object.entries(REFILL_REFUSALS).map(([prescriptionId, refusal]) => ({ prescriptionId, ...refusal }));

describe('magic refusals (every entry of REFILL_REFUSALS)', () => {
  it('has entries of both codes to test', () => {
    expect(new Set(refusals.map((refusal) => refusal.code))).toEqual(new Set(['refill_not_eligible', 'validation_error']));
  });

  it.each(refusals)('refuses $prescriptionId with 422 $code', async ({ prescriptionId, code }) => {
    const reply = await setup().api.request({ ...VALID, prescriptionId });
    expect([reply.status, reply.body.error.code]).toEqual([422, code]);
  });

  it.each(refusals.filter((refusal) => refusal.code === 'refill_not_eligible'))(
    'gives $prescriptionId details.reason "$reason" and its nextEligibleDate',
    async ({ prescriptionId, reason, nextEligibleInDays }) => {
      const reply = await setup().api.request({ ...VALID, prescriptionId });
      expect(reply.body.error.details).toEqual({
        reason,
        nextEligibleDate: nextEligibleInDays === null ? null : dateAt(nextEligibleInDays * DAY),
      });
    },
  );

  it.each(refusals.filter((refusal) => refusal.code === 'validation_error'))(
    'gives $prescriptionId details naming prescriptionId with reason "$reason"',
    async ({ prescriptionId, reason }) => {
      const reply = await setup().api.request({ ...VALID, prescriptionId });
      expect(reply.body.error.details).toEqual({ field: 'prescriptionId', reason });
    },
  );

  it.each(refusals)('answers $prescriptionId in the spec\'s error envelope', async ({ prescriptionId }) => {
    const reply = await setup().api.request({ ...VALID, prescriptionId });
    expect(isError(reply.body)).toBe(true);
    expect(reply.body.error.requestId).toBe(reply.headers.get('x-request-id'));
  });

  it.each(refusals)('creates no refill for $prescriptionId (a valid refill of rx_9876543210 is still accepted)', async ({ prescriptionId }) => {
    const { api } = setup();
    await api.request({ ...VALID, prescriptionId });
    expect((await api.request()).status).toBe(201);
  });

  it('dates rx_test_too_soon\'s nextEligibleDate 7 days after the current clock, not the start', async () => {
    const { api } = setup();
    await api.advance(3 * DAY);
    const reply = await api.request({ ...VALID, prescriptionId: 'rx_test_too_soon' });
    expect(reply.body.error.details.nextEligibleDate).toBe('2025-02-13');
  });

  it('refuses patientId pat_test_not_found with 422 validation_error naming patientId', async () => {
    const reply = await setup().api.request({ ...VALID, patientId: 'pat_test_not_found' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([422, 'validation_error', { field: 'patientId', reason: 'Patient not found' }]);
  });
});

describe('every refill magic value the spec lists (CreateRefillRequest x-nimbus-magic-values)', () => {
  // REFILL_REFUSALS holds only the prescriptionId ones; RefillService.screen answers the others.
  const listed = refillMagicValues.map((magic) => ({ ...magic, name: `${magic.field} = ${magic.value}` }));

  it.each(listed)('answers $name with $status as documented', async (magic) => {
    const reply = await setup().api.request({ ...VALID, [magic.field]: magic.value });
    expect(reply.status).toBe(magic.status);
    if (isRefusal(magic)) {
      expect([reply.body.error.code, reply.body.error.details.reason]).toEqual([magic.code, magic.reason]);
    } else {
      expect(reply.body.status).toBe('pending');
    }
  });
});

describe('magic outcomes (every entry of REFILL_OUTCOMES)', () => {
  it.each(Object.keys(REFILL_OUTCOMES))('accepts %s with 201 pending', async (prescriptionId) => {
    const reply = await setup().api.request({ ...VALID, prescriptionId });
    expect([reply.status, reply.body.status]).toEqual([201, 'pending']);
  });

  it.each(Object.keys(REFILL_OUTCOMES))('records %s as waiting for manual review', async (prescriptionId) => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId });
    expect(await api.history(refill.id)).toEqual([{ status: 'pending', at: at(0), reason: 'Requested; waiting for manual review' }]);
  });

  it('keeps rx_test_review pending past the usual 4 h, until 48 h have passed', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_review' });
    await api.advance(48 * HOUR - SECOND);
    expect((await api.refill(refill.id)).status).toBe('pending');
  });

  it('approves rx_test_review 48 h after the request, setting approvedQuantity and estimatedShipDate', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_review' });
    await api.advance(48 * HOUR);
    // Approved Wednesday 2025-02-05 15:00 UTC; shipping expected Thursday.
    expect(await api.refill(refill.id)).toMatchObject({ status: 'approved', approvedQuantity: 30, estimatedShipDate: '2025-02-06' });
  });

  it('records rx_test_review\'s approval as made at manual review', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_review' });
    await api.advance(48 * HOUR);
    expect((await api.history(refill.id)).at(-1)).toEqual({ status: 'approved', at: at(48 * HOUR), reason: 'Approved at manual review' });
  });

  it('takes rx_test_review on to processing and shipped at the usual pace after approval', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_review' });
    await api.advance(10 * DAY);
    expect(timeline(await api.history(refill.id))).toEqual([
      ['pending', at(0)],
      ['approved', at(48 * HOUR)],
      ['processing', at(52 * HOUR)],
      ['shipped', at(76 * HOUR)],
    ]);
  });

  it('keeps rx_test_denied pending until 24 h have passed', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(DAY - SECOND);
    expect((await api.refill(refill.id)).status).toBe('pending');
  });

  it('cancels rx_test_denied 24 h after the request', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(DAY);
    expect((await api.refill(refill.id)).status).toBe('cancelled');
  });

  it('records rx_test_denied\'s cancellation as denied at manual review', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(DAY);
    expect((await api.history(refill.id)).at(-1)).toEqual({ status: 'cancelled', at: at(DAY), reason: 'Denied at manual review' });
  });

  it('never approves rx_test_denied: approvedQuantity and estimatedShipDate stay null', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(DAY);
    const read = await api.refill(refill.id);
    expect([read.approvedQuantity, read.estimatedShipDate]).toEqual([null, null]);
  });

  it('matches the spec\'s Refill schema when cancelled', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(DAY);
    expect(isRefill(await api.refill(refill.id))).toBe(true);
  });

  it('never moves a cancelled rx_test_denied refill again', async () => {
    const { api, refill } = await withRefill({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(365 * DAY);
    expect(statuses(await api.history(refill.id))).toEqual(['pending', 'cancelled']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('eligibility rules', () => {
  it('refuses a requestedQuantity above the prescription\'s quantity with refill_not_eligible', async () => {
    const reply = await setup().api.request({ ...VALID, requestedQuantity: 31 });
    expect([reply.status, reply.body.error.code]).toEqual([422, 'refill_not_eligible']);
    expect(reply.body.error.details).toEqual({ reason: 'Requested quantity exceeds the prescribed quantity of 30', nextEligibleDate: null });
  });

  it('measures requestedQuantity against the prescription\'s own quantity (rx_test_001 allows 90)', async () => {
    const reply = await setup().api.request({ prescriptionId: 'rx_test_001', patientId: 'pat_test_001', requestedQuantity: 90 });
    expect(reply.status).toBe(201);
  });

  it('refuses rx_test_002 (60 per fill) a requestedQuantity of 61, naming its quantity', async () => {
    const reply = await setup().api.request({ prescriptionId: 'rx_test_002', patientId: 'pat_test_001', requestedQuantity: 61 });
    expect(reply.body.error.details.reason).toBe('Requested quantity exceeds the prescribed quantity of 60');
  });

  it('refuses a second refill of rx_9876543210 right away as too early', async () => {
    const { api } = await withRefill();
    const reply = await api.request();
    expect([reply.status, reply.body.error.code, reply.body.error.details.reason]).toEqual([422, 'refill_not_eligible', 'Too early to refill']);
  });

  it('dates the too-early refusal at the first refill\'s createdAt plus 75% of 30 days (22.5 days)', async () => {
    const { api, refill } = await withRefill();
    const reply = await api.request();
    // 2025-02-03T15:00Z + 22 d 12 h = 2025-02-26T03:00Z.
    expect(reply.body.error.details.nextEligibleDate).toBe(isoTime(Date.parse(refill.createdAt) + 22.5 * DAY).slice(0, 10));
  });

  it('still refuses the second refill 22 days later', async () => {
    const { api } = await withRefill();
    await api.advance(22 * DAY);
    expect((await api.request()).body.error?.details.reason).toBe('Too early to refill');
  });

  it('allows the second refill exactly 22.5 days after the first', async () => {
    const { api } = await withRefill();
    await api.advance(22.5 * DAY);
    expect((await api.request()).status).toBe(201);
  });

  it('allows the second refill after advancing 23 days', async () => {
    const { api } = await withRefill();
    await api.advance(23 * DAY);
    expect((await api.request()).status).toBe(201);
  });

  it('measures the window from the latest refill, not the first', async () => {
    const { api } = await withRefill();
    await api.advance(23 * DAY);
    const second = await api.create();
    await api.advance(20 * DAY);
    const reply = await api.request();
    expect(reply.body.error.details).toEqual({
      reason: 'Too early to refill',
      nextEligibleDate: isoTime(Date.parse(second.createdAt) + 22.5 * DAY).slice(0, 10),
    });
  });

  it('keeps each prescription\'s window to itself', async () => {
    const { api } = await withRefill();
    expect((await api.request({ ...VALID, prescriptionId: 'rx_test_001' })).status).toBe(201);
  });

  it('refuses a third refill of rx_test_002 (2 allowed), after the windows pass, with No refills remaining', async () => {
    const { api } = await withRefill({ prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
    await api.advance(23 * DAY);
    await api.create({ prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
    await api.advance(23 * DAY);
    const reply = await api.request({ prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([
      422, 'refill_not_eligible', { reason: 'No refills remaining', nextEligibleDate: null },
    ]);
  });

  it('allows the second refill of rx_test_002 once its window passes', async () => {
    const { api } = await withRefill({ prescriptionId: 'rx_test_002', patientId: 'pat_test_002' });
    await api.advance(23 * DAY);
    expect((await api.request({ prescriptionId: 'rx_test_002', patientId: 'pat_test_002' })).status).toBe(201);
  });

  it('does not count a cancelled refill toward the window', async () => {
    const body = { ...VALID, prescriptionId: 'rx_test_denied' };
    const { api } = await withRefill(body);
    await api.advance(DAY);
    expect((await api.request(body)).status).toBe(201);
  });

  it('refuses a refill of rx_test_denied as too early while the earlier one is still pending', async () => {
    const body = { ...VALID, prescriptionId: 'rx_test_denied' };
    const { api } = await withRefill(body);
    await api.advance(DAY - SECOND);
    expect((await api.request(body)).body.error?.details.reason).toBe('Too early to refill');
  });

  it('does not count cancelled refills toward the refills allowed', async () => {
    // rx_test_denied has the default rules: 5 refills. Five cancelled ones leave all five.
    const body = { ...VALID, prescriptionId: 'rx_test_denied' };
    const { api } = setup();
    for (let i = 0; i < 5; i++) {
      await api.create(body);
      await api.advance(DAY);
    }
    expect((await api.request(body)).status).toBe(201);
  });

  it('counts refills toward the window per tenant: key B may refill right after key A', async () => {
    const { sandbox } = await withRefill();
    expect((await client(sandbox, KEY_B).request()).status).toBe(201);
  });

  // Creations for one prescription run one at a time (RefillService.create), so parallel requests
  // (no Idempotency-Key) cannot all pass the window check: one 201, the rest 422, as when sequential.
  it('accepts only one of several parallel refills of one prescription (the window holds under concurrency)', async () => {
    const { api } = setup();
    const replies = await Promise.all([1, 2, 3].map(() => api.request()));
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 422, 422]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('strictReferences', () => {
  const strict = () => setup({ strictReferences: true }).api;

  it('refuses an unknown prescription with 422 validation_error Prescription not found', async () => {
    const reply = await strict().request({ ...VALID, prescriptionId: 'rx_unknown_42' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([422, 'validation_error', { field: 'prescriptionId', reason: 'Prescription not found' }]);
  });

  it('refuses an unknown patient with 422 validation_error Patient not found', async () => {
    const reply = await strict().request({ ...VALID, patientId: 'pat_unknown_42' });
    expect([reply.status, reply.body.error.code, reply.body.error.details]).toEqual([422, 'validation_error', { field: 'patientId', reason: 'Patient not found' }]);
  });

  it.each(TEST_PATIENT_IDS)('accepts the published test patient %s', async (patientId) => {
    expect((await strict().request({ ...VALID, patientId })).status).toBe(201);
  });

  it.each(TEST_PRESCRIPTION_IDS)('accepts the published test prescription %s', async (prescriptionId) => {
    expect((await strict().request({ ...VALID, prescriptionId })).status).toBe(201);
  });

  it.each(Object.keys(REFILL_OUTCOMES))('accepts the magic outcome prescription %s', async (prescriptionId) => {
    expect((await strict().request({ ...VALID, prescriptionId })).status).toBe(201);
  });

  it('does not consume the Idempotency-Key when refusing an unknown id', async () => {
    const api = strict();
    const key = { 'Idempotency-Key': 'strict-retry' };
    await api.request({ ...VALID, prescriptionId: 'rx_unknown_42' }, key);
    expect((await api.request(VALID, key)).status).toBe(201);
  });

  it('accepts unknown ids by default (basic validation)', async () => {
    expect((await setup().api.request({ prescriptionId: 'rx_unknown_42', patientId: 'pat_unknown_42' })).status).toBe(201);
  });

  // The refill_not_eligible magic prescriptions are not in the catalog, yet keep their documented
  // refusal under strictReferences (as orders' magic refusals do) rather than "Prescription not found".
  it.each(refusals.filter((refusal) => refusal.code === 'refill_not_eligible'))(
    'keeps the magic refusal $prescriptionId as refill_not_eligible "$reason"',
    async ({ prescriptionId, reason }) => {
      const reply = await strict().request({ ...VALID, prescriptionId });
      expect([reply.body.error.code, reply.body.error.details.reason]).toEqual(['refill_not_eligible', reason]);
    },
  );

  it('keeps the magic refusal rx_test_not_found as validation_error naming prescriptionId', async () => {
    const reply = await strict().request({ ...VALID, prescriptionId: 'rx_test_not_found' });
    expect([reply.body.error.code, reply.body.error.details]).toEqual(['validation_error', { field: 'prescriptionId', reason: 'Prescription not found' }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('request body validation', () => {
  it.each([
    ['a missing prescriptionId', { patientId: VALID.patientId }, 'prescriptionId'],
    ['a missing patientId', { prescriptionId: VALID.prescriptionId }, 'patientId'],
    ['requestedQuantity 0', { ...VALID, requestedQuantity: 0 }, 'requestedQuantity'],
    ['a negative requestedQuantity', { ...VALID, requestedQuantity: -1 }, 'requestedQuantity'],
    ['requestedQuantity 1.5', { ...VALID, requestedQuantity: 1.5 }, 'requestedQuantity'],
    ['requestedQuantity "3"', { ...VALID, requestedQuantity: '3' }, 'requestedQuantity'],
    ['requestedQuantity null', { ...VALID, requestedQuantity: null }, 'requestedQuantity'],
    ['requestedQuantity above 10000', { ...VALID, requestedQuantity: 10_001 }, 'requestedQuantity'],
    ['an unknown field', { ...VALID, notes: 'please hurry' }, 'notes'],
    ['a prescriptionId without the rx_ prefix', { ...VALID, prescriptionId: 'ord_9876543210' }, 'prescriptionId'],
    ['a patientId without the pat_ prefix', { ...VALID, patientId: '1234567890' }, 'patientId'],
    ['a numeric prescriptionId', { ...VALID, prescriptionId: 9876543210 }, 'prescriptionId'],
  ])('refuses %s with 422 validation_error naming the field', async (_case, body, field) => {
    const reply = await setup().api.request(body);
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'validation_error', details: { field } });
  });

  it('names an unknown field as "Unknown field"', async () => {
    const reply = await setup().api.request({ ...VALID, refillsLeft: 3 });
    expect(reply.body.error.details).toEqual({ field: 'refillsLeft', reason: 'Unknown field' });
  });

  it('creates no refill for a refused body (the next valid request is not too early)', async () => {
    const { api } = setup();
    await api.request({ ...VALID, requestedQuantity: 0 });
    expect((await api.request()).status).toBe(201);
  });

  it.each([
    ['a body that is not JSON', '{"prescriptionId": '],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['an empty body', ''],
  ])('refuses %s with 400 invalid_request', async (_case, raw) => {
    const reply = await setup().api.call('POST', '/refills', raw, { 'Content-Type': 'application/json' });
    expect([reply.status, reply.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('refuses a body sent as text/plain with 415 unsupported_media_type', async () => {
    const reply = await setup().api.call('POST', '/refills', JSON.stringify(VALID), { 'Content-Type': 'text/plain' });
    expect([reply.status, reply.body.error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('refuses a form-encoded body with 415 unsupported_media_type', async () => {
    const reply = await setup().api.call('POST', '/refills', 'prescriptionId=rx_9876543210', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect([reply.status, reply.body.error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('refuses a body over maxBodyBytes with 413 payload_too_large', async () => {
    const reply = await setup({ maxBodyBytes: 64 }).api.request({ ...VALID, patientId: `pat_${'x'.repeat(100)}` });
    expect([reply.status, reply.body.error.code]).toEqual([413, 'payload_too_large']);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('refuses %s /refills with 405 and Allow: POST', async (method) => {
    const reply = await setup().api.call(method, '/refills');
    expect([reply.status, reply.body.error.code, reply.headers.get('allow')]).toEqual([405, 'method_not_allowed', 'POST']);
  });

  it('refuses DELETE /refills/{refillId} with 405 and Allow: GET, HEAD', async () => {
    const { api, refill } = await withRefill();
    const reply = await api.call('DELETE', `/refills/${refill.id}`);
    expect([reply.status, reply.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('GET /refills/{refillId}', () => {
  it('answers 404 not_found for a well-formed id the key does not have', async () => {
    const reply = await setup().api.call('GET', '/refills/ref_nope');
    expect([reply.status, reply.body.error.code]).toEqual([404, 'not_found']);
  });

  it.each([
    ['an order id', TEST_ORDER_ID],
    ['no prefix', '1234567890'],
    ['a bare prefix', 'ref_'],
    ['a hyphen', 'ref_abc-def'],
    ['more than 64 characters', `ref_${'a'.repeat(61)}`],
  ])('answers 404 not_found naming refillId for an id with %s', async (_case, id) => {
    const reply = await setup().api.call('GET', `/refills/${id}`);
    expect([reply.status, reply.body.error.code, reply.body.error.details?.field]).toEqual([404, 'not_found', 'refillId']);
  });

  it('answers 404 for the history of an unknown refill', async () => {
    const reply = await setup().api.call('GET', '/sandbox/refills/ref_nope/history');
    expect([reply.status, reply.body.error.code]).toEqual([404, 'not_found']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('idempotency of POST /refills', () => {
  const KEY = { 'Idempotency-Key': 'refill-key-1' };

  it('replays the first answer byte for byte with Idempotent-Replayed: true', async () => {
    const { api } = setup();
    const first = await api.request(VALID, KEY);
    const again = await api.request(VALID, KEY);
    expect([again.status, again.text, again.headers.get('idempotent-replayed')]).toEqual([201, first.text, 'true']);
  });

  it('does not mark the first answer as replayed', async () => {
    const first = await setup().api.request(VALID, KEY);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
  });

  it('names the first request in Original-Request-Id and gives the replay a new X-Request-Id', async () => {
    const { api } = setup();
    const first = await api.request(VALID, KEY);
    const again = await api.request(VALID, KEY);
    expect(again.headers.get('original-request-id')).toBe(first.headers.get('x-request-id'));
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  it('replays a body sent with its keys in another order', async () => {
    const { api } = setup();
    const first = await api.request({ prescriptionId: VALID.prescriptionId, patientId: VALID.patientId, requestedQuantity: 5 }, KEY);
    const again = await api.request({ requestedQuantity: 5, patientId: VALID.patientId, prescriptionId: VALID.prescriptionId }, KEY);
    expect([again.text, again.headers.get('idempotent-replayed')]).toEqual([first.text, 'true']);
  });

  it('replays the refill as created, even after it has moved on', async () => {
    const { api } = setup();
    const first = await api.request(VALID, KEY);
    await api.advance(8 * HOUR);
    const again = await api.request(VALID, KEY);
    expect(again.body).toMatchObject({ status: 'pending' });
    expect(again.text).toBe(first.text);
  });

  it('creates no second refill on a replay: rx_test_002 (2 allowed) still takes another after its window', async () => {
    const { api } = setup();
    const body = { prescriptionId: 'rx_test_002', patientId: 'pat_test_002' };
    await api.request(body, KEY);
    await api.request(body, KEY);
    await api.advance(23 * DAY);
    expect((await api.request(body)).status).toBe(201);
  });

  it('answers 409 idempotency_key_conflict for the same key with a different body', async () => {
    const { api } = setup();
    await api.request(VALID, KEY);
    const reply = await api.request({ ...VALID, requestedQuantity: 10 }, KEY);
    expect([reply.status, reply.body.error.code, reply.body.error.message]).toEqual([409, 'idempotency_key_conflict', 'A refill with this idempotency key already exists']);
  });

  it('stores nothing on a conflict: the key still replays the first answer', async () => {
    const { api } = setup();
    const first = await api.request(VALID, KEY);
    await api.request({ ...VALID, requestedQuantity: 10 }, KEY);
    expect((await api.request(VALID, KEY)).text).toBe(first.text);
  });

  it('answers 409 conflict for a key used on POST /orders and then on POST /refills', async () => {
    const { api } = setup();
    const order = await api.call('POST', '/orders', {
      patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
      shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
    }, KEY);
    expect(order.status).toBe(201);
    expect((await api.request(VALID, KEY)).body.error.code).toBe('idempotency_key_conflict');
  });

  it('stores a refill_not_eligible refusal and replays it byte for byte', async () => {
    const { api } = setup();
    const body = { ...VALID, prescriptionId: 'rx_test_expired' };
    const first = await api.request(body, KEY);
    const again = await api.request(body, KEY);
    expect([first.status, first.body.error.code]).toEqual([422, 'refill_not_eligible']);
    expect([again.status, again.text, again.headers.get('idempotent-replayed')]).toEqual([422, first.text, 'true']);
  });

  it('replays a stored refill_not_eligible even once the refill would now be eligible', async () => {
    const body = { ...VALID, prescriptionId: 'rx_test_denied' };
    const { api } = await withRefill(body);
    const refused = await api.request(body, KEY); // too early: the first is still pending
    await api.advance(DAY); // the first is cancelled, so a new request would be accepted
    expect((await api.request(body)).status).toBe(201);
    const again = await api.request(body, KEY);
    expect([again.status, again.text]).toEqual([422, refused.text]);
  });

  it('answers 409 conflict for the key of a stored refusal with a different body', async () => {
    const { api } = setup();
    await api.request({ ...VALID, prescriptionId: 'rx_test_expired' }, KEY);
    expect((await api.request(VALID, KEY)).body.error.code).toBe('idempotency_key_conflict');
  });

  it.each([
    ['the magic rx_test_not_found', { ...VALID, prescriptionId: 'rx_test_not_found' }],
    ['the magic pat_test_not_found', { ...VALID, patientId: 'pat_test_not_found' }],
    ['a schema breach', { ...VALID, requestedQuantity: 0 }],
    ['an unknown field', { ...VALID, extra: true }],
  ])('does not consume the key on a validation_error for %s', async (_case, body) => {
    const { api } = setup();
    const refused = await api.request(body, KEY);
    expect(refused.body.error.code).toBe('validation_error');
    const retry = await api.request(VALID, KEY);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, null]);
  });

  it('does not consume the key on a 400 for a body that is not JSON', async () => {
    const { api } = setup();
    await api.call('POST', '/refills', 'not json', { 'Content-Type': 'application/json', ...KEY });
    expect((await api.request(VALID, KEY)).status).toBe(201);
  });

  it('keeps the same key of another tenant independent', async () => {
    const sandbox = sandboxWith();
    const a = await client(sandbox, KEY_A).request(VALID, KEY);
    const b = await client(sandbox, KEY_B).request({ ...VALID, requestedQuantity: 10 }, KEY);
    expect([b.status, b.headers.get('idempotent-replayed'), b.body.requestedQuantity]).toEqual([201, null, 10]);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it.each([
    ['empty', ''],
    ['over 255 characters', 'k'.repeat(256)],
    ['not visible ASCII', 'key with spaces'],
  ])('refuses a key that is %s with 400 invalid_request naming the header', async (_case, key) => {
    const reply = await setup().api.request(VALID, { 'Idempotency-Key': key });
    expect([reply.status, reply.body.error.code, reply.body.error.details.field]).toEqual([400, 'invalid_request', 'Idempotency-Key']);
  });

  it('accepts a key of exactly 255 characters', async () => {
    expect((await setup().api.request(VALID, { 'Idempotency-Key': 'k'.repeat(255) })).status).toBe(201);
  });

  it('refuses a request without a key when requireIdempotencyKey is set', async () => {
    const reply = await setup({ requireIdempotencyKey: true }).api.request();
    expect([reply.status, reply.body.error.details.field]).toEqual([400, 'Idempotency-Key']);
  });

  it('treats the key as expired after 24 h on the tenant\'s clock', async () => {
    const { api } = setup();
    const first = await api.request({ ...VALID, prescriptionId: 'rx_test_expired' }, KEY);
    await api.advance(DAY + SECOND);
    const again = await api.request({ ...VALID, prescriptionId: 'rx_test_expired' }, KEY);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.error.requestId).not.toBe(first.body.error.requestId);
  });

  it('creates exactly one refill for parallel identical requests with one key', async () => {
    const { api } = setup();
    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => api.request(VALID, KEY)));
    const created = replies.filter((reply) => reply.status === 201);
    expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
    for (const reply of replies.filter((r) => r.status !== 201)) expect(reply.body.error.code).toBe('idempotency_key_in_use');
  });
});

// ---------------------------------------------------------------------------------------------

describe('tenant isolation', () => {
  it('answers 404 for another key\'s refill', async () => {
    const { sandbox, refill } = await withRefill();
    const reply = await client(sandbox, KEY_B).call('GET', `/refills/${refill.id}`);
    expect([reply.status, reply.body.error.code]).toEqual([404, 'not_found']);
  });

  it('answers 404 for the history of another key\'s refill', async () => {
    const { sandbox, refill } = await withRefill();
    expect((await client(sandbox, KEY_B).call('GET', `/sandbox/refills/${refill.id}/history`)).status).toBe(404);
  });

  it('does not move key A\'s refill when key B advances its clock', async () => {
    const { sandbox, api, refill } = await withRefill();
    await client(sandbox, KEY_B).advance(5 * DAY);
    await sandbox.sweep();
    expect(await api.refill(refill.id)).toEqual(refill);
  });

  it('does not forget key A\'s refill when key B resets', async () => {
    const { sandbox, api, refill } = await withRefill();
    await client(sandbox, KEY_B).call('POST', '/sandbox/reset');
    expect((await api.refill(refill.id)).id).toBe(refill.id);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rate limits on refills', () => {
  function limited(options: SandboxOptions = {}) {
    const realClock = new ManualClock(0);
    const { sandbox, api } = setup({ rateLimit: undefined, realClock, ...options });
    return { sandbox, api, realClock };
  }
  const spend = async (api: ReturnType<typeof client>, n: number, path = '/refills/ref_nope') => {
    for (let i = 0; i < n; i++) await api.call('GET', path);
  };

  it('sends X-RateLimit-Limit 100 on refill answers', async () => {
    const reply = await limited().api.request();
    expect(reply.headers.get('x-ratelimit-limit')).toBe('100');
  });

  it('counts down X-RateLimit-Remaining over POST and GET of refills', async () => {
    const { api } = limited();
    const refill = (await api.request()).body as Refill;
    await api.call('GET', `/refills/${refill.id}`);
    expect((await api.call('GET', `/refills/${refill.id}`)).headers.get('x-ratelimit-remaining')).toBe('97');
  });

  it('allows 100 refill requests in a minute', async () => {
    const { api } = limited();
    await spend(api, 99);
    expect((await api.request()).status).toBe(201);
  });

  it('refuses the 101st refill request in a minute with 429 rate_limit_exceeded and Retry-After', async () => {
    const { api, realClock } = limited();
    await spend(api, 100);
    realClock.advance(20 * SECOND);
    const reply = await api.request();
    expect([reply.status, reply.body.error.code, reply.body.error.details, reply.headers.get('retry-after')]).toEqual([
      429, 'rate_limit_exceeded', { retryAfter: 40 }, '40',
    ]);
  });

  it('does not count orders requests toward the refills limit', async () => {
    const { api } = limited();
    await spend(api, 100, `/orders/${TEST_ORDER_ID}`);
    const reply = await api.request();
    expect([reply.status, reply.headers.get('x-ratelimit-remaining')]).toEqual([201, '99']);
  });

  it('does not count refills requests toward the orders limit', async () => {
    const { api } = limited();
    await spend(api, 100);
    const reply = await api.call('GET', `/orders/${TEST_ORDER_ID}`);
    expect([reply.status, reply.headers.get('x-ratelimit-remaining')]).toEqual([200, '99']);
  });

  it('opens a new window after 60 s of real time while the sandbox clock stands still', async () => {
    const { api, realClock } = limited();
    await spend(api, 100);
    realClock.advance(60 * SECOND);
    expect((await api.request()).status).toBe(201);
  });

  it('does not open a new window when only the sandbox clock moves on', async () => {
    const { api } = limited();
    await spend(api, 100);
    await api.advance(HOUR);
    expect((await api.request()).status).toBe(429);
  });

  it('counts each key in its own window', async () => {
    const { sandbox, api } = limited();
    await spend(api, 100);
    expect((await client(sandbox, KEY_B).request()).status).toBe(201);
  });

  it('does not limit the refill history under /sandbox', async () => {
    const { api } = limited({ rateLimit: { refills: 1 } });
    const refill = (await api.request()).body as Refill;
    const reply = await api.call('GET', `/sandbox/refills/${refill.id}/history`);
    expect([reply.status, reply.headers.get('x-ratelimit-limit')]).toEqual([200, null]);
  });

  it('honours a configured refills limit', async () => {
    const { api } = limited({ rateLimit: { refills: 2 } });
    await spend(api, 2);
    expect((await api.request()).status).toBe(429);
  });

  it('does not consume the Idempotency-Key on a 429', async () => {
    const { api, realClock } = limited({ rateLimit: { refills: 1 } });
    await spend(api, 1);
    const key = { 'Idempotency-Key': 'after-429' };
    expect((await api.request(VALID, key)).status).toBe(429);
    realClock.advance(60 * SECOND);
    const retry = await api.request(VALID, key);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, null]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('refill webhooks', () => {
  function withSender(options: SandboxOptions = {}) {
    const sender = recordingSender();
    const { sandbox, api } = setup({ webhookSender: sender.send, ...options });
    return { sandbox, api, sender };
  }

  it('sends nothing when a refill is requested', async () => {
    const { sandbox, api, sender } = withSender();
    await api.register();
    await api.create();
    await sandbox.sweep();
    expect(sender.calls).toEqual([]);
  });

  it('sends refill.ready when the refill is approved, 4 h later', async () => {
    const { api, sender } = withSender();
    await api.register();
    const refill = await api.create();
    await api.advance(4 * HOUR);
    expect(sender.events()).toEqual([expect.objectContaining({
      type: 'refill.ready',
      createdAt: at(4 * HOUR),
      data: { refillId: refill.id, prescriptionId: refill.prescriptionId, status: 'approved' },
    })]);
  });

  it('does not send refill.ready before the approval', async () => {
    const { api, sender } = withSender();
    await api.register();
    await api.create();
    await api.advance(4 * HOUR - SECOND);
    expect(sender.calls).toEqual([]);
  });

  it('sends refill.ready to the registered URL, matching the spec\'s WebhookEvent schema with an evt_ id', async () => {
    const { api, sender } = withSender();
    await api.register();
    await api.create();
    await api.advance(4 * HOUR);
    const [call] = sender.calls;
    expect(call?.url).toBe(HOOK_URL);
    const event = JSON.parse(call!.body);
    expect(isWebhookEvent(event)).toBe(true);
    expect(event.id).toMatch(/^evt_/);
  });

  it('signs refill.ready with the endpoint\'s secret', async () => {
    const { api, sender } = withSender();
    const endpoint = await api.register();
    await api.create();
    await api.advance(4 * HOUR);
    const [call] = sender.calls;
    expect(verifyWebhookSignature(call!.body, call!.headers['X-Webhook-Signature'], endpoint.secret)).toBe(true);
  });

  it('sends only refill.ready of the whole lifecycle to an endpoint with the published events', async () => {
    const { api, sender } = withSender();
    await api.register();
    await api.create();
    await api.advance(5 * DAY);
    expect(sender.types()).toEqual(['refill.ready']);
  });

  it('sends refill.ready for rx_test_review only at its approval after 48 h', async () => {
    const { api, sender } = withSender();
    await api.register();
    await api.create({ ...VALID, prescriptionId: 'rx_test_review' });
    await api.advance(48 * HOUR - SECOND);
    expect(sender.calls).toEqual([]);
    await api.advance(SECOND);
    expect(sender.events().map((event) => [event.type, event.createdAt])).toEqual([['refill.ready', at(48 * HOUR)]]);
  });

  it('sends refill.processing and refill.shipped to an endpoint that lists them', async () => {
    const { api, sender } = withSender();
    await api.register(['refill.processing', 'refill.shipped']);
    const refill = await api.create();
    await api.advance(5 * DAY);
    expect(sender.events().map((event) => [event.type, event.createdAt, event.data])).toEqual([
      ['refill.processing', at(8 * HOUR), { refillId: refill.id, prescriptionId: refill.prescriptionId, status: 'processing' }],
      ['refill.shipped', at(32 * HOUR), { refillId: refill.id, prescriptionId: refill.prescriptionId, status: 'shipped' }],
    ]);
  });

  it('sends refill.cancelled for rx_test_denied to an endpoint that lists it', async () => {
    const { api, sender } = withSender();
    await api.register(['refill.cancelled']);
    const refill = await api.create({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(2 * DAY);
    expect(sender.events().map((event) => [event.type, event.data])).toEqual([
      ['refill.cancelled', { refillId: refill.id, prescriptionId: 'rx_test_denied', status: 'cancelled' }],
    ]);
  });

  it('sends no refill.cancelled to an endpoint with the published events', async () => {
    const { api, sender } = withSender();
    await api.register();
    await api.create({ ...VALID, prescriptionId: 'rx_test_denied' });
    await api.advance(2 * DAY);
    expect(sender.calls).toEqual([]);
  });

  it('sends no refill.ready to an endpoint that lists only other events', async () => {
    const { api, sender } = withSender();
    await api.register(['refill.shipped']);
    await api.create();
    await api.advance(5 * DAY);
    expect(sender.types()).toEqual(['refill.shipped']);
  });

  it('sends every refill event in order to an endpoint that lists them all', async () => {
    const { api, sender } = withSender();
    await api.register(['refill.ready', 'refill.processing', 'refill.shipped', 'refill.cancelled']);
    await api.create();
    await api.advance(5 * DAY);
    expect(sender.types()).toEqual(['refill.ready', 'refill.processing', 'refill.shipped']);
  });

  it('records the refill.ready delivery on the endpoint', async () => {
    const { api } = withSender();
    const endpoint = await api.register();
    await api.create();
    await api.advance(4 * HOUR);
    const deliveries = (await api.call('GET', `/sandbox/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    expect(deliveries).toEqual([expect.objectContaining({ eventType: 'refill.ready', attempt: 1, succeeded: true, attemptedAt: at(4 * HOUR) })]);
  });

  it('sends key A\'s refill.ready to no endpoint of key B', async () => {
    const { sandbox, api, sender } = withSender();
    await client(sandbox, KEY_B).register();
    await api.create();
    await api.advance(4 * HOUR);
    expect(sender.calls).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('POST /sandbox/reset and refills', () => {
  it('forgets the key\'s refills', async () => {
    const { api, refill } = await withRefill();
    await api.call('POST', '/sandbox/reset');
    expect((await api.call('GET', `/refills/${refill.id}`)).status).toBe(404);
  });

  it('forgets the refill history', async () => {
    const { api, refill } = await withRefill();
    await api.call('POST', '/sandbox/reset');
    expect((await api.call('GET', `/sandbox/refills/${refill.id}/history`)).status).toBe(404);
  });

  it('forgets the refill window: the same prescription may be refilled right away', async () => {
    const { api } = await withRefill();
    await api.call('POST', '/sandbox/reset');
    expect((await api.request()).status).toBe(201);
  });

  it('forgets refills used toward the limit', async () => {
    const body = { prescriptionId: 'rx_test_002', patientId: 'pat_test_002' };
    const { api } = await withRefill(body);
    await api.advance(23 * DAY);
    await api.create(body);
    await api.advance(23 * DAY);
    await api.call('POST', '/sandbox/reset');
    expect((await api.request(body)).status).toBe(201);
  });

  it('forgets refill idempotency keys', async () => {
    const { api } = setup();
    const key = { 'Idempotency-Key': 'before-reset' };
    const first = await api.request(VALID, key);
    await api.call('POST', '/sandbox/reset');
    const again = await api.request(VALID, key);
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, null]);
    expect(again.body.id).not.toBe(first.body.id);
  });

  it('sends no webhook for a refill that was pending at the reset', async () => {
    const sender = recordingSender();
    const { api } = setup({ webhookSender: sender.send });
    await api.create();
    await api.call('POST', '/sandbox/reset');
    await api.register();
    await api.advance(5 * DAY);
    expect(sender.calls).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../api-types.ts';
import { isoTime } from '../clock.ts';
import type { OrderOutcome } from '../domain/magic-values.ts';
import type { OrderRecord } from '../domain/records.ts';
import { addBusinessDays } from './business-days.ts';
import { nextAutomaticStep } from './engine.ts';
import { DEFAULT_TIMELINE, ORDER_LIFECYCLE, type Timeline } from './order-lifecycle.ts';
import { FULFILMENT_PATH, isCancellable } from '../domain/orders.ts';
import { stepBetween } from './table.ts';

const canTransition = (from: OrderStatus, to: OrderStatus) => stepBetween(ORDER_LIFECYCLE, from, to) !== undefined;

const nextStep = (record: OrderRecord, timeline: Timeline) => nextAutomaticStep(ORDER_LIFECYCLE, record, record.order.status, timeline);
const lastChangeAt = (record: OrderRecord) => Date.parse(record.history.at(-1)!.at);

const HOUR = 3_600_000;
const CREATED = Date.parse('2025-02-03T15:00:00Z');
/** When the order took its current status: later than creation, so a step counts from here. */
const SINCE = CREATED + 5 * HOUR;

function record(status: OrderStatus, extra: { outcome?: OrderOutcome; frozen?: boolean } = {}): OrderRecord {
  return {
    version: 1,
    order: {
      id: 'ord_test', patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status,
      shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      createdAt: isoTime(CREATED), updatedAt: isoTime(SINCE),
    },
    history: [
      { status: 'pending', at: isoTime(CREATED), reason: 'Created' },
      ...(status === 'pending' ? [] : [{ status, at: isoTime(SINCE), reason: 'Earlier step' }]),
    ],
    ...extra,
  };
}

/** A pending order's history is its creation alone, so its clock starts at CREATED. */
const since = (status: OrderStatus) => (status === 'pending' ? CREATED : SINCE);

describe('nextStep on the default timeline', () => {
  it.each([
    ['pending', 'processing', DEFAULT_TIMELINE.processing],
    ['processing', 'shipped', DEFAULT_TIMELINE.shipped],
    ['shipped', 'delivered', DEFAULT_TIMELINE.delivered],
  ] as const)('moves %s to %s after its wait', (from, to, wait) => {
    expect(nextStep(record(from), DEFAULT_TIMELINE)).toMatchObject({ status: to, dueAt: since(from) + wait });
  });

  it.each(['delivered', 'cancelled'] as const)('has no step after %s', (status) => {
    expect(nextStep(record(status), DEFAULT_TIMELINE)).toBeUndefined();
  });

  it('waits 1 h, then 24 h, then 72 h: under five days in all', () => {
    expect(DEFAULT_TIMELINE).toEqual({ processing: HOUR, shipped: 24 * HOUR, delivered: 72 * HOUR });
    expect(DEFAULT_TIMELINE.processing + DEFAULT_TIMELINE.shipped + DEFAULT_TIMELINE.delivered).toBeLessThan(5 * 24 * HOUR);
  });

  it('counts from the last status change, not from creation', () => {
    const step = nextStep(record('processing'), DEFAULT_TIMELINE)!;
    expect(lastChangeAt(record('processing'))).toBe(SINCE);
    expect(step.dueAt).toBe(SINCE + DEFAULT_TIMELINE.shipped);
  });

  it('gives every step a reason', () => {
    for (const status of ['pending', 'processing', 'shipped'] as const) {
      expect(nextStep(record(status), DEFAULT_TIMELINE)!.reason).not.toBe('');
    }
  });
});

describe('nextStep on a custom timeline', () => {
  const custom: Timeline = { processing: 1_000, shipped: 2_000, delivered: 3_000 };

  it.each([
    ['pending', 1_000],
    ['processing', 2_000],
    ['shipped', 3_000],
  ] as const)('waits the custom time in %s', (status, wait) => {
    expect(nextStep(record(status), custom)!.dueAt).toBe(since(status) + wait);
  });
});

describe('nextStep for magic outcomes', () => {
  it('moves a held order from pending to processing as usual', () => {
    expect(nextStep(record('pending', { outcome: 'held' }), DEFAULT_TIMELINE)).toMatchObject({ status: 'processing', dueAt: CREATED + HOUR });
  });

  it('never moves a held order on from processing', () => {
    expect(nextStep(record('processing', { outcome: 'held' }), DEFAULT_TIMELINE)).toBeUndefined();
  });

  it('moves an unfillable order from pending to processing as usual', () => {
    expect(nextStep(record('pending', { outcome: 'unfillable' }), DEFAULT_TIMELINE)).toMatchObject({ status: 'processing' });
  });

  it('cancels an unfillable order when it would have shipped', () => {
    expect(nextStep(record('processing', { outcome: 'unfillable' }), DEFAULT_TIMELINE)).toEqual({
      status: 'cancelled', dueAt: SINCE + DEFAULT_TIMELINE.shipped, reason: 'The pharmacy could not fill the prescription',
    });
  });

  it('lets an unfillable order that was shipped anyway be delivered', () => {
    expect(nextStep(record('shipped', { outcome: 'unfillable' }), DEFAULT_TIMELINE)).toMatchObject({ status: 'delivered' });
  });

  it.each(['pending', 'processing', 'shipped'] as const)('never moves a frozen %s order', (status) => {
    expect(nextStep(record(status, { frozen: true }), DEFAULT_TIMELINE)).toBeUndefined();
  });
});

describe('addBusinessDays', () => {
  // 2025-02-03 is a Monday.
  const day = (date: string, time = '12:00:00') => Date.parse(`${date}T${time}Z`);

  it.each([
    ['Monday', '2025-02-03', 3, '2025-02-06'],
    ['Wednesday', '2025-02-05', 3, '2025-02-10'],
    ['Thursday', '2025-02-06', 1, '2025-02-07'],
    ['Friday', '2025-02-07', 1, '2025-02-10'],
    ['Friday', '2025-02-07', 3, '2025-02-12'],
    ['Saturday', '2025-02-08', 1, '2025-02-10'],
    ['Sunday', '2025-02-09', 1, '2025-02-10'],
    ['Sunday', '2025-02-09', 3, '2025-02-12'],
    ['Monday', '2025-02-03', 10, '2025-02-17'],
  ])('counts from a %s (%s) + %i business days to %s', (_weekday, from, days, expected) => {
    expect(addBusinessDays(day(from), days)).toBe(expected);
  });

  it('gives the same date for zero days', () => {
    expect(addBusinessDays(day('2025-02-08'), 0)).toBe('2025-02-08');
  });

  it('uses the UTC date, whatever the time of day', () => {
    expect(addBusinessDays(day('2025-02-07', '23:59:59'), 1)).toBe('2025-02-10');
    expect(addBusinessDays(day('2025-02-07', '00:00:00'), 1)).toBe('2025-02-10');
  });

  it('crosses a month end', () => {
    expect(addBusinessDays(day('2025-01-30'), 3)).toBe('2025-02-04');
  });
});


const STATUSES: readonly OrderStatus[] = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];

/** The published lifecycle plus the contract's decision that `processing` may still be cancelled. */
const ALLOWED = new Set([
  'pending→processing',
  'pending→cancelled',
  'processing→shipped',
  'processing→cancelled',
  'shipped→delivered',
]);

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => ALLOWED.has(`${from}→${to}`));
const refused = pairs.filter(([from, to]) => !ALLOWED.has(`${from}→${to}`));

describe('order transitions', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('names every status in the table', () => {
    const named = new Set([ORDER_LIFECYCLE.created.status, ...ORDER_LIFECYCLE.steps.flatMap((row) => [row.from, row.to])]);
    expect([...named].sort()).toEqual([...STATUSES].sort());
  });

  it('walks the fulfilment path one allowed step at a time', () => {
    expect(FULFILMENT_PATH).toEqual(['pending', 'processing', 'shipped', 'delivered']);
    for (let i = 1; i < FULFILMENT_PATH.length; i++) {
      expect(canTransition(FULFILMENT_PATH[i - 1]!, FULFILMENT_PATH[i]!)).toBe(true);
    }
  });
});

describe('isCancellable', () => {
  it.each([
    ['pending', true],
    ['processing', true],
    ['shipped', false],
    ['delivered', false],
    ['cancelled', false],
  ] as const)('says whether %s is cancellable (%s)', (status, expected) => {
    expect(isCancellable(status)).toBe(expected);
  });
});

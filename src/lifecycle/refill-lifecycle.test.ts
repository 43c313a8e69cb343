import { describe, expect, it } from 'vitest';
import type { RefillStatus } from '../api-types.ts';
import { isoTime } from '../clock.ts';
import { REFILL_OUTCOMES } from '../domain/magic-values.ts';
import type { RefillOutcome, RefillRecord, StatusChange } from '../domain/records.ts';
import { nextAutomaticStep } from './engine.ts';
import { DEFAULT_REFILL_TIMELINE, REFILL_LIFECYCLE, type RefillTimeline } from './refill-lifecycle.ts';

const nextRefillStep = (record: RefillRecord, timeline: RefillTimeline) => nextAutomaticStep(REFILL_LIFECYCLE, record, record.refill.status, timeline);

const START = Date.parse('2025-02-03T15:00:00Z');
const HOUR = 3_600_000;

/** Distinct durations, so a step that reads the wrong one is caught. */
const TIMELINE: RefillTimeline = { approved: 1 * HOUR, processing: 2 * HOUR, shipped: 3 * HOUR, review: 10 * HOUR };

/** A refill in `status` whose last change was `lastChangeMs` after START (earlier changes at START). */
function record(status: RefillStatus, options: { outcome?: RefillOutcome; lastChangeMs?: number } = {}): RefillRecord {
  const history: StatusChange<RefillStatus>[] = [{ status: 'pending', at: isoTime(START), reason: 'Requested' }];
  if (status !== 'pending') history.push({ status, at: isoTime(START + (options.lastChangeMs ?? 0)), reason: 'Earlier step' });
  else if (options.lastChangeMs !== undefined) history[0]!.at = isoTime(START + options.lastChangeMs);
  return {
    version: 1,
    refill: {
      id: 'ref_test', prescriptionId: 'rx_9876543210', patientId: 'pat_test_001', status,
      requestedQuantity: 30, approvedQuantity: status === 'pending' || status === 'cancelled' ? null : 30,
      createdAt: isoTime(START), estimatedShipDate: null,
    },
    history,
    ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
  };
}

describe('nextRefillStep', () => {
  it('approves a pending refill after the approved duration', () => {
    expect(nextRefillStep(record('pending'), TIMELINE)).toEqual({ status: 'approved', dueAt: START + HOUR, reason: 'Eligibility confirmed; approved' });
  });

  it('approves a pending review refill after the review duration', () => {
    expect(nextRefillStep(record('pending', { outcome: 'review' }), TIMELINE)).toEqual({
      status: 'approved', dueAt: START + 10 * HOUR, reason: 'Approved at manual review',
    });
  });

  it('cancels a pending denied refill after half the review duration', () => {
    expect(nextRefillStep(record('pending', { outcome: 'denied' }), TIMELINE)).toEqual({
      status: 'cancelled', dueAt: START + 5 * HOUR, reason: 'Denied at manual review',
    });
  });

  it('moves an approved refill to processing after the processing duration from its approval', () => {
    expect(nextRefillStep(record('approved', { lastChangeMs: 7 * HOUR }), TIMELINE)).toEqual({
      status: 'processing', dueAt: START + 9 * HOUR, reason: 'The pharmacy started filling the refill',
    });
  });

  it('ships a processing refill after the shipped duration from the start of processing', () => {
    expect(nextRefillStep(record('processing', { lastChangeMs: 7 * HOUR }), TIMELINE)).toEqual({
      status: 'shipped', dueAt: START + 10 * HOUR, reason: 'Handed to the carrier',
    });
  });

  it.each(['shipped', 'cancelled'] as const)('has no step after %s', (status) => {
    expect(nextRefillStep(record(status), TIMELINE)).toBeUndefined();
  });

  it.each(['review', 'denied'] as const)('has no step after shipped or cancelled for the %s outcome either', (outcome) => {
    expect([nextRefillStep(record('shipped', { outcome }), TIMELINE), nextRefillStep(record('cancelled', { outcome }), TIMELINE)]).toEqual([undefined, undefined]);
  });

  it.each(['review', 'denied'] as const)('moves an approved %s refill on at the usual pace', (outcome) => {
    expect(nextRefillStep(record('approved', { outcome }), TIMELINE)).toMatchObject({ status: 'processing', dueAt: START + 2 * HOUR });
  });

  it.each(['review', 'denied'] as const)('ships a processing %s refill at the usual pace', (outcome) => {
    expect(nextRefillStep(record('processing', { outcome }), TIMELINE)).toMatchObject({ status: 'shipped', dueAt: START + 3 * HOUR });
  });

  it('counts a pending step from the last history entry', () => {
    expect(nextRefillStep(record('pending', { lastChangeMs: 30 * 60_000 }), TIMELINE)?.dueAt).toBe(START + 30 * 60_000 + HOUR);
  });

  it('ignores the refill\'s createdAt when timing a later step', () => {
    const approved = record('approved', { lastChangeMs: 5 * HOUR });
    approved.refill.createdAt = isoTime(START - 100 * HOUR);
    expect(nextRefillStep(approved, TIMELINE)?.dueAt).toBe(START + 7 * HOUR);
  });

  it('knows every outcome REFILL_OUTCOMES uses', () => {
    for (const { outcome } of Object.values(REFILL_OUTCOMES)) {
      expect(nextRefillStep(record('pending', { outcome }), TIMELINE)?.reason).toMatch(/manual review/);
    }
  });
});

describe('DEFAULT_REFILL_TIMELINE', () => {
  it('approves after 4 h, processes 4 h later, ships 24 h after that, and reviews for 48 h', () => {
    expect(DEFAULT_REFILL_TIMELINE).toEqual({ approved: 4 * HOUR, processing: 4 * HOUR, shipped: 24 * HOUR, review: 48 * HOUR });
  });

  it('approves a refill within a day, as documented', () => {
    expect(nextRefillStep(record('pending'), DEFAULT_REFILL_TIMELINE)!.dueAt - START).toBeLessThanOrEqual(24 * HOUR);
  });

  it('cancels a denied refill 24 h after the request', () => {
    expect(nextRefillStep(record('pending', { outcome: 'denied' }), DEFAULT_REFILL_TIMELINE)!.dueAt).toBe(START + 24 * HOUR);
  });

  it('approves a review refill 48 h after the request', () => {
    expect(nextRefillStep(record('pending', { outcome: 'review' }), DEFAULT_REFILL_TIMELINE)!.dueAt).toBe(START + 48 * HOUR);
  });
});

import type { Refill, RefillStatus } from '../api-types.ts';
import type { RefillOutcome } from '../domain/records.ts';
import { addBusinessDays } from './business-days.ts';
import type { LifecycleTable } from './table.ts';

const HOUR = 3_600_000;

/** How long a refill waits in each status before the next, in ms. */
export interface RefillTimeline {
  approved: number;
  processing: number;
  shipped: number;
  /** How long a manual review takes, for `rx_test_review`; `rx_test_denied` is denied half-way. */
  review: number;
}

/** Approved within a day (4 h), processing 4 h later, shipped a day after that. */
export const DEFAULT_REFILL_TIMELINE: RefillTimeline = { approved: 4 * HOUR, processing: 4 * HOUR, shipped: 24 * HOUR, review: 48 * HOUR };

/** The published refill flow: pending → approved → processing → shipped, and pending → cancelled. */
export const REFILL_LIFECYCLE: LifecycleTable<RefillStatus, RefillTimeline, RefillOutcome, Refill> = {
  noun: 'refill',
  created: { status: 'pending', reason: 'Requested' },
  steps: [
    { from: 'pending', to: 'approved', after: (t) => t.approved, reason: 'Eligibility confirmed; approved', unless: ['review', 'denied'] },
    { from: 'pending', to: 'approved', after: (t) => t.review, reason: 'Approved at manual review', only: 'review' },
    { from: 'pending', to: 'cancelled', after: (t) => t.review / 2, reason: 'Denied at manual review', only: 'denied' },
    { from: 'approved', to: 'processing', after: (t) => t.processing, reason: 'The pharmacy started filling the refill' },
    { from: 'processing', to: 'shipped', after: (t) => t.shipped, reason: 'Handed to the carrier' },
  ],
  events: {
    approved: 'refill.ready',
    processing: 'refill.processing',
    shipped: 'refill.shipped',
    cancelled: 'refill.cancelled',
  },
  effects: {
    approved: (refill, at) => ({ approvedQuantity: refill.requestedQuantity, estimatedShipDate: addBusinessDays(at, 1) }),
  },
};

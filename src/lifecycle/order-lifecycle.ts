import type { Order, OrderStatus } from '../api-types.ts';
import type { OrderOutcome } from '../domain/magic-values.ts';
import { CARRIERS, trackingNumber } from '../domain/tracking.ts';
import { addBusinessDays } from './business-days.ts';
import type { LifecycleTable } from './table.ts';

/** How long an order waits in each status before the next, in ms. */
export interface Timeline {
  /** pending → processing */
  processing: number;
  /** processing → shipped */
  shipped: number;
  /** shipped → delivered */
  delivered: number;
}

const HOUR = 3_600_000;
/** Processing within an hour, shipped a day later, delivered three days after that (under five days in all). */
export const DEFAULT_TIMELINE: Timeline = { processing: HOUR, shipped: 24 * HOUR, delivered: 72 * HOUR };

/** An order shipped is estimated to arrive this many business days later. */
export const DELIVERY_ESTIMATE_BUSINESS_DAYS = 3;

/** The published order lifecycle, with the contract's decision that `processing` may still be cancelled. */
export const ORDER_LIFECYCLE: LifecycleTable<OrderStatus, Timeline, OrderOutcome, Order> = {
  noun: 'order',
  created: { status: 'pending', reason: 'Created' },
  steps: [
    { from: 'pending', to: 'processing', after: (t) => t.processing, reason: 'The pharmacy started preparing the order' },
    { from: 'processing', to: 'shipped', after: (t) => t.shipped, reason: 'Handed to the carrier', unless: ['held', 'unfillable'] },
    { from: 'processing', to: 'cancelled', after: (t) => t.shipped, reason: 'The pharmacy could not fill the prescription', only: 'unfillable' },
    { from: 'shipped', to: 'delivered', after: (t) => t.delivered, reason: 'Delivered to the patient' },
    { from: 'pending', to: 'cancelled', reason: 'Cancelled' },
    { from: 'processing', to: 'cancelled', reason: 'Cancelled' },
  ],
  events: {
    pending: 'order.created',
    processing: 'order.processing',
    shipped: 'order.fulfilled',
    delivered: 'order.delivered',
    cancelled: 'order.cancelled',
  },
  effects: {
    shipped: (_order, at, draw) => ({
      trackingNumber: trackingNumber(CARRIERS[draw.int(CARRIERS.length)]!, draw.digits(20)),
      estimatedDeliveryDate: addBusinessDays(at, DELIVERY_ESTIMATE_BUSINESS_DAYS),
    }),
  },
};

import type { OrderStatus } from '../api-types.ts';
import type { OrderRecord } from './records.ts';

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

export interface Step<Status = OrderStatus> {
  status: Status;
  dueAt: number;
  reason: string;
}

export function lastChangeAt(record: OrderRecord): number {
  return Date.parse(record.history.at(-1)!.at);
}

/** The next automatic change of an order and when it falls due, or undefined if none will come. */
export function nextStep(record: OrderRecord, timeline: Timeline): Step | undefined {
  if (record.frozen) return undefined;
  const since = lastChangeAt(record);
  switch (record.order.status) {
    case 'pending':
      return { status: 'processing', dueAt: since + timeline.processing, reason: 'The pharmacy started preparing the order' };
    case 'processing':
      if (record.outcome === 'held') return undefined;
      if (record.outcome === 'unfillable') {
        return { status: 'cancelled', dueAt: since + timeline.shipped, reason: 'The pharmacy could not fill the prescription' };
      }
      return { status: 'shipped', dueAt: since + timeline.shipped, reason: 'Handed to the carrier' };
    case 'shipped':
      return { status: 'delivered', dueAt: since + timeline.delivered, reason: 'Delivered to the patient' };
    default:
      return undefined;
  }
}

/** `days` business days (Monday to Friday) after the UTC date of `from`, as YYYY-MM-DD. */
export function addBusinessDays(from: number, days: number): string {
  const date = new Date(from);
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return date.toISOString().slice(0, 10);
}

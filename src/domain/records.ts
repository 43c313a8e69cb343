import type { Order, OrderStatus, Refill, RefillStatus } from '../api-types.ts';
import type { OrderOutcome } from './magic-values.ts';

export interface StatusChange<Status = OrderStatus> {
  status: Status;
  at: string;
  reason: string;
}

/** What every record with a lifecycle keeps beside the resource the API shows. */
export interface LifecycleRecord<Status extends string, Outcome extends string> {
  /** How many times the record was written: the store's compare-and-set counts on it. */
  version: number;
  history: StatusChange<Status>[];
  /** A magic value's unusual course. */
  outcome?: Outcome;
  /** Published test data stays exactly as published. */
  frozen?: boolean;
}

/** An order as stored: the published Order plus what the sandbox keeps beside it. */
export interface OrderRecord extends LifecycleRecord<OrderStatus, OrderOutcome> {
  order: Order;
  /** Accepted on create but not part of the published Order, so never echoed. */
  notes?: string;
}

export type RefillOutcome = 'review' | 'denied';

/** A refill as stored: the published Refill plus its history. */
export interface RefillRecord extends LifecycleRecord<RefillStatus, RefillOutcome> {
  refill: Refill;
}

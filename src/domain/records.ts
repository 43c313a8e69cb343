import type { Order, OrderStatus, Refill, RefillStatus } from '../api-types.ts';
import type { OrderOutcome } from './magic-values.ts';

export interface StatusChange<Status = OrderStatus> {
  status: Status;
  at: string;
  reason: string;
}

/** An order as stored: the published Order plus what the sandbox keeps beside it. */
export interface OrderRecord {
  order: Order;
  /** Accepted on create but not part of the published Order, so never echoed. */
  notes?: string;
  history: StatusChange[];
  /** Published test data stays exactly as published. */
  frozen?: boolean;
  /** A magic prescription's unusual course. */
  outcome?: OrderOutcome;
}

export type RefillOutcome = 'review' | 'denied';

/** A refill as stored: the published Refill plus its history. */
export interface RefillRecord {
  refill: Refill;
  history: StatusChange<RefillStatus>[];
  outcome?: RefillOutcome;
}

/** A finished answer kept for idempotent replay. */
export interface StoredAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  requestId: string;
}

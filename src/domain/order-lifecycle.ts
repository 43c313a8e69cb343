import type { OrderStatus } from '../api-types.ts';

/** Every allowed status change, and nothing else. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['processing', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/** The happy path, in order; cancellation is the only way off it. */
export const FULFILMENT_PATH: readonly OrderStatus[] = ['pending', 'processing', 'shipped', 'delivered'];

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function isCancellable(status: OrderStatus): boolean {
  return canTransition(status, 'cancelled');
}

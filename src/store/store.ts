import type { OrderStatus } from '../api-types.ts';
import type { OrderRecord, RefillRecord, StoredAnswer } from '../domain/records.ts';

export interface OrderFilter {
  status?: OrderStatus;
  patientId?: string;
}

export interface OrderPage {
  records: OrderRecord[];
  hasMore: boolean;
}

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'conflict' }
  | { kind: 'in_use' };

/**
 * Where tenants' data lives. Every method is scoped to one tenant (an API key), and one tenant
 * never sees another's data. An implementation backed by a database must make
 * `claimIdempotencyKey` atomic (one winner among concurrent claims of the same key).
 */
export interface Store {
  /** Creates the tenant with `seed` if it does not exist yet (true), or does nothing (false). */
  ensureTenant(tenant: string, seed: () => OrderRecord[]): Promise<boolean>;
  /** Drops everything the tenant has (orders, idempotency keys) and stores `seed` instead. */
  resetTenant(tenant: string, seed: OrderRecord[]): Promise<void>;
  /** Forgets the tenant and everything it has; until `ensureTenant` makes it again, its records read as absent. */
  dropTenant(tenant: string): Promise<void>;

  getOrder(tenant: string, orderId: string): Promise<OrderRecord | undefined>;
  /** Inserts a new order or replaces the stored one with the same id. */
  saveOrder(tenant: string, record: OrderRecord): Promise<void>;
  /** Orders in creation order, newest first, starting after the order `after` (exclusive). */
  listOrders(tenant: string, filter: OrderFilter, page: { after?: string; limit: number }): Promise<OrderPage>;

  getRefill(tenant: string, refillId: string): Promise<RefillRecord | undefined>;
  /** Inserts a new refill or replaces the stored one with the same id. */
  saveRefill(tenant: string, record: RefillRecord): Promise<void>;
  /** The tenant's refills of one prescription, oldest first. */
  refillsOfPrescription(tenant: string, prescriptionId: string): Promise<RefillRecord[]>;

  /**
   * Claims `key` for a request with this fingerprint, or reports why it cannot be claimed.
   * A claim or answer older than `expiresBefore` (tenant clock, ms) counts as absent.
   */
  claimIdempotencyKey(tenant: string, key: string, fingerprint: string, now: number, expiresBefore: number): Promise<IdempotencyClaim>;
  completeIdempotencyKey(tenant: string, key: string, answer: StoredAnswer): Promise<void>;
  releaseIdempotencyKey(tenant: string, key: string): Promise<void>;
}

export class UnknownCursorError extends Error {}

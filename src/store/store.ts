import type { OrderStatus, RefillStatus, WebhookDelivery, WebhookEndpoint } from '../api-types.ts';
import type { OrderRecord, RefillRecord } from '../domain/records.ts';

/** What a listing keeps: records in this status, of this patient (both when both are given). */
export interface ListFilter<Status extends string> {
  status?: Status;
  patientId?: string;
}

export type OrderFilter = ListFilter<OrderStatus>;
export type RefillFilter = ListFilter<RefillStatus>;

/** One page of a listing, newest first. */
export interface Page<Entry> {
  records: Entry[];
  hasMore: boolean;
}

export type OrderPage = Page<OrderRecord>;
export type RefillPage = Page<RefillRecord>;

/** A finished answer kept for idempotent replay, as the HTTP layer wrote it; the store keeps it as is. */
export interface StoredAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  requestId: string;
}

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'conflict' }
  | { kind: 'in_use' };

/** What a key keeps across `POST /sandbox/reset`. */
export interface TenantSettings {
  /** Signs test webhooks sent to a URL that no endpoint has. */
  defaultSecret: string;
  /** How far the key's clock has been moved on by advances (ms). */
  clockAdvancedMs: number;
}

/** A new key's contents. */
export interface TenantSeed {
  settings: TenantSettings;
  orders: OrderRecord[];
  /** Endpoints every key has from the start (`--webhook-url`); they survive resets. */
  endpoints: WebhookEndpoint[];
}

/**
 * Where every key's state lives: its records, idempotency answers, webhook endpoints and delivery
 * log, its clock and settings. Every method is scoped to one tenant (an API key), and one tenant
 * never sees another's data. Reads of a tenant that does not exist find nothing; writes to it fail.
 *
 * Atomic, whatever the implementation (a database must make them so; `storeConformance` checks it):
 * - `ensureTenant`: among concurrent calls for one tenant, exactly one creates it (and answers true);
 * - `putOrder` / `putRefill`: a compare-and-set of the record's version, so of concurrent writers
 *   that read the same version exactly one wins. A record made again after a reset (a fixture
 *   order) starts again at version 1: a store where a read and a write of one record can
 *   straddle a reset must make versions grow across resets, or the stale write lands;
 * - `claimIdempotencyKey`: among concurrent claims of one key, exactly one is `claimed`;
 * - `advanceClock`: an addition, never a lost update;
 * - `resetTenant`: readers see the tenant either before or after, never half-reset.
 *
 * Not atomic with the writes they count: `countOrders` and `countRefills` are what the sandbox's
 * caps (`maxOrders`, `maxRefills`) are checked against before a create, so creates that run at
 * once, each having counted, may pass a cap by at most their number.
 *
 * What is not here lives in the process and goes with it: the schedulers that know when records
 * and webhook events fall due, webhook events waiting to be sent, rate-limit windows and random
 * streams (see src/tenancy/).
 */
export interface Store {
  /** Creates the tenant from `seed` if it does not exist yet (true), or does nothing (false). */
  ensureTenant(tenant: string, seed: () => TenantSeed): Promise<boolean>;
  /**
   * Drops the tenant's orders, refills, idempotency keys, delivery log and endpoints created since
   * (the seed's endpoints stay), and stores `orders` instead. Settings and clock stay.
   */
  resetTenant(tenant: string, orders: OrderRecord[]): Promise<void>;
  /** Forgets the tenant and everything it has; until `ensureTenant` makes it again, it reads as absent. */
  dropTenant(tenant: string): Promise<void>;
  getSettings(tenant: string): Promise<TenantSettings | undefined>;
  /** Moves the tenant's clock on by `ms` and returns how far it has been moved in all. */
  advanceClock(tenant: string, ms: number): Promise<number>;

  getOrder(tenant: string, orderId: string): Promise<OrderRecord | undefined>;
  /**
   * Writes `record` if the stored order with its id has version `expectedVersion` (0: there is
   * none); true when written. The record carries its own new version.
   */
  putOrder(tenant: string, record: OrderRecord, expectedVersion: number): Promise<boolean>;
  /** How many orders the tenant holds (0 for a tenant that does not exist). */
  countOrders(tenant: string): Promise<number>;
  /** Orders in creation order, newest first, starting after the order `after` (exclusive). */
  listOrders(tenant: string, filter: OrderFilter, page: { after?: string; limit: number }): Promise<OrderPage>;

  getRefill(tenant: string, refillId: string): Promise<RefillRecord | undefined>;
  /** As `putOrder`, for refills. */
  putRefill(tenant: string, record: RefillRecord, expectedVersion: number): Promise<boolean>;
  /** The tenant's refills of one prescription, oldest first. */
  refillsOfPrescription(tenant: string, prescriptionId: string): Promise<RefillRecord[]>;
  /** How many refills the tenant holds (0 for a tenant that does not exist). */
  countRefills(tenant: string): Promise<number>;
  /** As `listOrders`, for refills. */
  listRefills(tenant: string, filter: RefillFilter, page: { after?: string; limit: number }): Promise<RefillPage>;

  /**
   * Claims `key` for a request with this fingerprint, or reports why it cannot be claimed.
   * A claim or answer older than `expiresBefore` (tenant clock, ms) counts as absent.
   * The tenant keeps at most `keep` keys: a new claim that would pass it drops the finished
   * (completed) keys claimed longest ago, so a retry with a dropped key runs afresh. A claim still
   * in flight is never dropped, so while more than `keep` are in flight at once there are more.
   */
  claimIdempotencyKey(tenant: string, key: string, fingerprint: string, now: number, expiresBefore: number, keep: number): Promise<IdempotencyClaim>;
  completeIdempotencyKey(tenant: string, key: string, answer: StoredAnswer): Promise<void>;
  releaseIdempotencyKey(tenant: string, key: string): Promise<void>;

  /** Endpoints oldest first. */
  listEndpoints(tenant: string): Promise<WebhookEndpoint[]>;
  addEndpoint(tenant: string, endpoint: WebhookEndpoint): Promise<void>;
  /** Deletes the endpoint and its delivery log; false when there was none. */
  deleteEndpoint(tenant: string, endpointId: string): Promise<boolean>;
  /**
   * Records attempts to deliver to an endpoint, in the order given; dropped when the endpoint is
   * gone. The endpoint keeps its `keep` newest attempts (latest `attemptedAt`; of attempts made at
   * the same time, the ones recorded last): older ones are dropped.
   */
  appendDeliveries(tenant: string, endpointId: string, attempts: readonly WebhookDelivery[], keep: number): Promise<void>;
  /** Every attempt to deliver to an endpoint, oldest first; undefined when there is no such endpoint. */
  listDeliveries(tenant: string, endpointId: string): Promise<WebhookDelivery[] | undefined>;
}

export class UnknownCursorError extends Error {}

import type { OrderStatus, RefillStatus, WebhookDelivery, WebhookEndpoint } from '../api-types.ts';
import type { OrderRecord, RefillRecord } from '../domain/records.ts';
import { ListIndex } from './list-index.ts';
import {
  type IdempotencyClaim, type OrderFilter, type OrderPage, type RefillFilter, type RefillPage, type Store, type StoredAnswer, type TenantSeed,
  type TenantSettings,
} from './store.ts';

interface IdempotencyEntry {
  fingerprint: string;
  claimedAt: number;
  answer?: StoredAnswer;
}

interface EndpointEntry {
  endpoint: WebhookEndpoint;
  /** Made with the tenant (`--webhook-url`): a reset keeps it. */
  seeded: boolean;
  /** Appended as made; after a clock jump they are not made in time order, so they are sorted when read. */
  deliveries: WebhookDelivery[];
  sorted: boolean;
}

interface TenantData {
  settings: TenantSettings;
  orders: Map<string, OrderRecord>;
  /** Creation order, for cursor pagination, and the status and patient indexes filters read. */
  index: ListIndex<OrderStatus>;
  idempotency: Map<string, IdempotencyEntry>;
  refills: Map<string, RefillRecord>;
  /** As `index`, for refills. */
  refillIndex: ListIndex<RefillStatus>;
  /** Each prescription's refill ids, oldest first: a create looks them up, and a key may hold 100,000 refills. */
  refillsByPrescription: Map<string, string[]>;
  endpoints: Map<string, EndpointEntry>;
}

function newData(settings: TenantSettings, orders: OrderRecord[], endpoints: EndpointEntry[]): TenantData {
  const data: TenantData = {
    settings, orders: new Map(), index: new ListIndex(), idempotency: new Map(), refills: new Map(), refillIndex: new ListIndex(),
    refillsByPrescription: new Map(),
    endpoints: new Map(endpoints.map((entry) => [entry.endpoint.id, entry])),
  };
  for (const record of orders) insertOrder(data, record);
  return data;
}

function insertOrder(data: TenantData, record: OrderRecord): void {
  data.index.put(record.order.id, record.order.status, record.order.patientId);
  data.orders.set(record.order.id, record);
}

/** Oldest first. Stable, so attempts made at the same time keep the order they were made in. */
function sortDeliveries(entry: EndpointEntry): void {
  if (entry.sorted) return;
  entry.deliveries.sort((a, b) => (a.attemptedAt < b.attemptedAt ? -1 : a.attemptedAt > b.attemptedAt ? 1 : 0));
  entry.sorted = true;
}

function endpointEntry(endpoint: WebhookEndpoint, seeded: boolean): EndpointEntry {
  return { endpoint, seeded, deliveries: [], sorted: true };
}

/** The default store: everything in this process's memory, gone when it stops. */
export class MemoryStore implements Store {
  private readonly tenants = new Map<string, TenantData>();

  private tenant(tenant: string): TenantData {
    const data = this.tenants.get(tenant);
    if (data === undefined) throw new Error(`tenant ${tenant} was used before ensureTenant`);
    return data;
  }

  async ensureTenant(tenant: string, seed: () => TenantSeed): Promise<boolean> {
    if (this.tenants.has(tenant)) return false;
    const { settings, orders, endpoints } = seed();
    this.tenants.set(tenant, newData({ ...settings }, orders, endpoints.map((endpoint) => endpointEntry(endpoint, true))));
    return true;
  }

  async resetTenant(tenant: string, orders: OrderRecord[]): Promise<void> {
    const data = this.tenant(tenant);
    const kept = [...data.endpoints.values()].filter((entry) => entry.seeded).map((entry) => endpointEntry(entry.endpoint, true));
    this.tenants.set(tenant, newData(data.settings, orders, kept));
  }

  async dropTenant(tenant: string): Promise<void> {
    this.tenants.delete(tenant);
  }

  async getSettings(tenant: string): Promise<TenantSettings | undefined> {
    const settings = this.tenants.get(tenant)?.settings;
    return settings === undefined ? undefined : { ...settings };
  }

  async advanceClock(tenant: string, ms: number): Promise<number> {
    const settings = this.tenant(tenant).settings;
    settings.clockAdvancedMs += ms;
    return settings.clockAdvancedMs;
  }

  async getOrder(tenant: string, orderId: string): Promise<OrderRecord | undefined> {
    return this.tenants.get(tenant)?.orders.get(orderId);
  }

  async putOrder(tenant: string, record: OrderRecord, expectedVersion: number): Promise<boolean> {
    const data = this.tenant(tenant);
    if ((data.orders.get(record.order.id)?.version ?? 0) !== expectedVersion) return false;
    insertOrder(data, record);
    return true;
  }

  async countOrders(tenant: string): Promise<number> {
    return this.tenants.get(tenant)?.orders.size ?? 0;
  }

  async listOrders(tenant: string, filter: OrderFilter, page: { after?: string; limit: number }): Promise<OrderPage> {
    const data = this.tenant(tenant);
    const { ids, hasMore } = data.index.page(filter, page);
    return { records: ids.map((id) => data.orders.get(id)!), hasMore };
  }

  async getRefill(tenant: string, refillId: string): Promise<RefillRecord | undefined> {
    return this.tenants.get(tenant)?.refills.get(refillId);
  }

  async putRefill(tenant: string, record: RefillRecord, expectedVersion: number): Promise<boolean> {
    const data = this.tenant(tenant);
    const { id, prescriptionId, status, patientId } = record.refill;
    const stored = data.refills.get(id);
    if ((stored?.version ?? 0) !== expectedVersion) return false;
    if (stored === undefined) {
      const ids = data.refillsByPrescription.get(prescriptionId);
      if (ids === undefined) data.refillsByPrescription.set(prescriptionId, [id]);
      else ids.push(id);
    }
    data.refillIndex.put(id, status, patientId);
    data.refills.set(id, record);
    return true;
  }

  async refillsOfPrescription(tenant: string, prescriptionId: string): Promise<RefillRecord[]> {
    const data = this.tenant(tenant);
    return (data.refillsByPrescription.get(prescriptionId) ?? []).map((id) => data.refills.get(id)!);
  }

  async countRefills(tenant: string): Promise<number> {
    return this.tenants.get(tenant)?.refills.size ?? 0;
  }

  async listRefills(tenant: string, filter: RefillFilter, page: { after?: string; limit: number }): Promise<RefillPage> {
    const data = this.tenant(tenant);
    const { ids, hasMore } = data.refillIndex.page(filter, page);
    return { records: ids.map((id) => data.refills.get(id)!), hasMore };
  }

  async claimIdempotencyKey(tenant: string, key: string, fingerprint: string, now: number, expiresBefore: number, keep: number): Promise<IdempotencyClaim> {
    const entries = this.tenant(tenant).idempotency;
    const entry = entries.get(key);
    if (entry !== undefined && entry.claimedAt >= expiresBefore) {
      if (entry.fingerprint !== fingerprint) return { kind: 'conflict' };
      return entry.answer === undefined ? { kind: 'in_use' } : { kind: 'replay', answer: entry.answer };
    }
    entries.delete(key);
    entries.set(key, { fingerprint, claimedAt: now });
    this.dropExpired(entries, expiresBefore);
    if (entries.size > keep) this.dropFinished(entries, entries.size - keep);
    return { kind: 'claimed' };
  }

  async completeIdempotencyKey(tenant: string, key: string, answer: StoredAnswer): Promise<void> {
    const entry = this.tenants.get(tenant)?.idempotency.get(key);
    if (entry !== undefined) entry.answer = answer;
  }

  async releaseIdempotencyKey(tenant: string, key: string): Promise<void> {
    this.tenants.get(tenant)?.idempotency.delete(key);
  }

  async listEndpoints(tenant: string): Promise<WebhookEndpoint[]> {
    return [...(this.tenants.get(tenant)?.endpoints.values() ?? [])].map((entry) => entry.endpoint);
  }

  async addEndpoint(tenant: string, endpoint: WebhookEndpoint): Promise<void> {
    this.tenant(tenant).endpoints.set(endpoint.id, endpointEntry(endpoint, false));
  }

  async deleteEndpoint(tenant: string, endpointId: string): Promise<boolean> {
    return this.tenants.get(tenant)?.endpoints.delete(endpointId) ?? false;
  }

  async appendDeliveries(tenant: string, endpointId: string, attempts: readonly WebhookDelivery[], keep: number): Promise<void> {
    const entry = this.tenants.get(tenant)?.endpoints.get(endpointId);
    if (entry === undefined) return;
    for (const attempt of attempts) {
      const last = entry.deliveries.at(-1);
      if (last !== undefined && last.attemptedAt > attempt.attemptedAt) entry.sorted = false;
      entry.deliveries.push(attempt);
    }
    if (entry.deliveries.length > keep) {
      sortDeliveries(entry);
      entry.deliveries.splice(0, entry.deliveries.length - keep);
    }
  }

  async listDeliveries(tenant: string, endpointId: string): Promise<WebhookDelivery[] | undefined> {
    const entry = this.tenants.get(tenant)?.endpoints.get(endpointId);
    if (entry === undefined) return undefined;
    sortDeliveries(entry);
    return [...entry.deliveries];
  }

  /** Drops `count` finished entries, those claimed longest ago first; a claim in flight stays. */
  private dropFinished(entries: Map<string, IdempotencyEntry>, count: number): void {
    for (const [key, entry] of entries) {
      if (count === 0) return;
      if (entry.answer === undefined) continue;
      entries.delete(key);
      count--;
    }
  }

  /** Entries sit in claim order (a re-claim moves to the end), so expired ones are at the front. */
  private dropExpired(entries: Map<string, IdempotencyEntry>, expiresBefore: number): void {
    for (const [key, entry] of entries) {
      if (entry.claimedAt >= expiresBefore) return;
      entries.delete(key);
    }
  }
}

import type { OrderRecord, RefillRecord, StoredAnswer } from '../domain/records.ts';
import { UnknownCursorError, type IdempotencyClaim, type OrderFilter, type OrderPage, type Store } from './store.ts';

interface IdempotencyEntry {
  fingerprint: string;
  claimedAt: number;
  answer?: StoredAnswer;
}

interface TenantData {
  orders: Map<string, OrderRecord>;
  /** Order ids in creation order, and each id's place in it, for cursor pagination. */
  sequence: string[];
  position: Map<string, number>;
  idempotency: Map<string, IdempotencyEntry>;
  refills: Map<string, RefillRecord>;
}

function emptyTenant(): TenantData {
  return { orders: new Map(), sequence: [], position: new Map(), idempotency: new Map(), refills: new Map() };
}

function matches(record: OrderRecord, filter: OrderFilter): boolean {
  return (filter.status === undefined || record.order.status === filter.status)
    && (filter.patientId === undefined || record.order.patientId === filter.patientId);
}

/** The default store: everything in this process's memory, gone when it stops. */
export class MemoryStore implements Store {
  private readonly tenants = new Map<string, TenantData>();

  private tenant(tenant: string): TenantData {
    const data = this.tenants.get(tenant);
    if (data === undefined) throw new Error(`tenant ${tenant} was used before ensureTenant`);
    return data;
  }

  private insertAll(data: TenantData, records: OrderRecord[]): void {
    for (const record of records) this.insert(data, record);
  }

  private insert(data: TenantData, record: OrderRecord): void {
    const id = record.order.id;
    if (!data.orders.has(id)) {
      data.position.set(id, data.sequence.length);
      data.sequence.push(id);
    }
    data.orders.set(id, record);
  }

  async ensureTenant(tenant: string, seed: () => OrderRecord[]): Promise<boolean> {
    if (this.tenants.has(tenant)) return false;
    const data = emptyTenant();
    this.insertAll(data, seed());
    this.tenants.set(tenant, data);
    return true;
  }

  async resetTenant(tenant: string, seed: OrderRecord[]): Promise<void> {
    const data = emptyTenant();
    this.insertAll(data, seed);
    this.tenants.set(tenant, data);
  }

  async dropTenant(tenant: string): Promise<void> {
    this.tenants.delete(tenant);
  }

  async getOrder(tenant: string, orderId: string): Promise<OrderRecord | undefined> {
    return this.tenants.get(tenant)?.orders.get(orderId);
  }

  async saveOrder(tenant: string, record: OrderRecord): Promise<void> {
    this.insert(this.tenant(tenant), record);
  }

  async listOrders(tenant: string, filter: OrderFilter, page: { after?: string; limit: number }): Promise<OrderPage> {
    const data = this.tenant(tenant);
    let start = data.sequence.length - 1;
    if (page.after !== undefined) {
      const position = data.position.get(page.after);
      if (position === undefined) throw new UnknownCursorError(page.after);
      start = position - 1;
    }
    const records: OrderRecord[] = [];
    for (let i = start; i >= 0; i--) {
      const record = data.orders.get(data.sequence[i]!)!;
      if (!matches(record, filter)) continue;
      if (records.length === page.limit) return { records, hasMore: true };
      records.push(record);
    }
    return { records, hasMore: false };
  }

  async getRefill(tenant: string, refillId: string): Promise<RefillRecord | undefined> {
    return this.tenants.get(tenant)?.refills.get(refillId);
  }

  async saveRefill(tenant: string, record: RefillRecord): Promise<void> {
    this.tenant(tenant).refills.set(record.refill.id, record);
  }

  async refillsOfPrescription(tenant: string, prescriptionId: string): Promise<RefillRecord[]> {
    return [...this.tenant(tenant).refills.values()].filter((record) => record.refill.prescriptionId === prescriptionId);
  }

  async claimIdempotencyKey(tenant: string, key: string, fingerprint: string, now: number, expiresBefore: number): Promise<IdempotencyClaim> {
    const entries = this.tenant(tenant).idempotency;
    const entry = entries.get(key);
    if (entry !== undefined && entry.claimedAt >= expiresBefore) {
      if (entry.fingerprint !== fingerprint) return { kind: 'conflict' };
      return entry.answer === undefined ? { kind: 'in_use' } : { kind: 'replay', answer: entry.answer };
    }
    entries.delete(key);
    entries.set(key, { fingerprint, claimedAt: now });
    this.dropExpired(entries, expiresBefore);
    return { kind: 'claimed' };
  }

  async completeIdempotencyKey(tenant: string, key: string, answer: StoredAnswer): Promise<void> {
    const entry = this.tenant(tenant).idempotency.get(key);
    if (entry !== undefined) entry.answer = answer;
  }

  async releaseIdempotencyKey(tenant: string, key: string): Promise<void> {
    this.tenant(tenant).idempotency.delete(key);
  }

  /** Entries sit in claim order (a re-claim moves to the end), so expired ones are at the front. */
  private dropExpired(entries: Map<string, IdempotencyEntry>, expiresBefore: number): void {
    for (const [key, entry] of entries) {
      if (entry.claimedAt >= expiresBefore) return;
      entries.delete(key);
    }
  }
}

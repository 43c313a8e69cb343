import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderStatus, RefillStatus, WebhookDelivery, WebhookEndpoint } from '../api-types.ts';
import type { OrderRecord, RefillRecord } from '../domain/records.ts';
import { UnknownCursorError, type Store, type StoredAnswer, type TenantSeed } from './store.ts';

const T0 = Date.parse('2025-01-15T15:00:00Z');
const FAR_PAST = T0 - 1;
/** More keys or attempts than any test makes, where the test is not about what a store keeps. */
const KEEP = 1000;

function record(id: string, status: OrderStatus = 'pending', patientId = 'pat_1'): OrderRecord {
  const at = '2025-01-15T15:00:00Z';
  return {
    version: 1,
    order: {
      id, patientId, prescriptionId: 'rx_1', status,
      shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      createdAt: at, updatedAt: at,
    },
    history: [{ status, at, reason: 'test' }],
  };
}

function refill(id: string, prescriptionId = 'rx_1', version = 1, status: RefillStatus = 'pending', patientId = 'pat_1'): RefillRecord {
  const at = '2025-01-15T15:00:00Z';
  return {
    version,
    refill: { id, prescriptionId, patientId, status, requestedQuantity: 30, approvedQuantity: null, createdAt: at, estimatedShipDate: null },
    history: [{ status, at, reason: 'test' }],
  };
}

function endpoint(id: string): WebhookEndpoint {
  return { id, url: `https://example.test/${id}`, events: ['order.created'], secret: 'whsec_test', createdAt: '2025-01-15T15:00:00Z' };
}

function attempt(eventId: string, attemptedAt: string): WebhookDelivery {
  return {
    eventId, eventType: 'order.created', body: `{"id":"${eventId}","type":"order.created"}`, signature: eventId.padEnd(64, '0').replace(/[^0-9a-f]/g, 'f'),
    attempt: 1, attemptedAt, succeeded: true,
    responseStatus: 204, error: null, nextRetryAt: null, deadLettered: false,
  };
}

function seedOf(orders: OrderRecord[], endpoints: WebhookEndpoint[] = []): () => TenantSeed {
  return () => ({ settings: { defaultSecret: 'whsec_default', clockAdvancedMs: 0 }, orders, endpoints });
}

const answer: StoredAnswer = { status: 201, body: '{}', headers: {}, requestId: 'req_1' };

/**
 * What every `Store` must do, as tests: run it against any implementation with
 * `storeConformance('MyStore', () => new MyStore())`. Each test gets a fresh, empty store.
 * The "at once" tests start their calls together: an implementation whose atomic operations are
 * not atomic fails them once its calls truly interleave.
 */
export function storeConformance(name: string, makeStore: () => Store | Promise<Store>): void {
  let store: Store;

  /** Creates `tenant` and saves orders with these ids, oldest first. */
  async function tenantWith(tenant: string, records: OrderRecord[]): Promise<void> {
    await store.ensureTenant(tenant, seedOf([]));
    for (const r of records) expect(await store.putOrder(tenant, r, 0)).toBe(true);
  }

  async function listIds(tenant: string, filter = {}, page: { after?: string; limit: number } = { limit: 100 }) {
    const result = await store.listOrders(tenant, filter, page);
    return { ids: result.records.map((r) => r.order.id), hasMore: result.hasMore };
  }

  beforeEach(async () => {
    store = await makeStore();
  });

  describe(`${name}: pagination`, () => {
    beforeEach(() => tenantWith('t', ['ord_1', 'ord_2', 'ord_3', 'ord_4', 'ord_5'].map((id) => record(id))));

    it('lists newest first', async () => {
      expect((await listIds('t')).ids).toEqual(['ord_5', 'ord_4', 'ord_3', 'ord_2', 'ord_1']);
    });

    it('stops at the limit and reports more', async () => {
      expect(await listIds('t', {}, { limit: 2 })).toEqual({ ids: ['ord_5', 'ord_4'], hasMore: true });
    });

    it('reports no more when the last page is exactly full', async () => {
      expect(await listIds('t', {}, { limit: 5 })).toEqual({ ids: ['ord_5', 'ord_4', 'ord_3', 'ord_2', 'ord_1'], hasMore: false });
    });

    it('continues after the given order, excluding it', async () => {
      expect(await listIds('t', {}, { after: 'ord_4', limit: 2 })).toEqual({ ids: ['ord_3', 'ord_2'], hasMore: true });
    });

    it('answers an empty last page after the oldest order', async () => {
      expect(await listIds('t', {}, { after: 'ord_1', limit: 2 })).toEqual({ ids: [], hasMore: false });
    });

    it('keeps an updated order in its creation place', async () => {
      await store.putOrder('t', { ...record('ord_2', 'cancelled'), version: 2 }, 1);
      const { records } = await store.listOrders('t', {}, { limit: 100 });
      expect(records.map((r) => r.order.id)).toEqual(['ord_5', 'ord_4', 'ord_3', 'ord_2', 'ord_1']);
      expect(records[3]!.order.status).toBe('cancelled');
    });

    it('throws UnknownCursorError for an order it does not have', async () => {
      await expect(store.listOrders('t', {}, { after: 'ord_unknown', limit: 2 })).rejects.toBeInstanceOf(UnknownCursorError);
    });
  });

  describe(`${name}: filters`, () => {
    beforeEach(() => tenantWith('t', [
      record('ord_1', 'pending', 'pat_a'),
      record('ord_2', 'shipped', 'pat_b'),
      record('ord_3', 'pending', 'pat_b'),
      record('ord_4', 'shipped', 'pat_a'),
      record('ord_5', 'pending', 'pat_a'),
    ]));

    it('keeps only orders in the given status', async () => {
      expect((await listIds('t', { status: 'shipped' })).ids).toEqual(['ord_4', 'ord_2']);
    });

    it('keeps only orders of the given patient', async () => {
      expect((await listIds('t', { patientId: 'pat_b' })).ids).toEqual(['ord_3', 'ord_2']);
    });

    it('combines status and patient filters', async () => {
      expect((await listIds('t', { status: 'pending', patientId: 'pat_a' })).ids).toEqual(['ord_5', 'ord_1']);
    });

    it('reports more only when another matching order exists', async () => {
      expect(await listIds('t', { status: 'shipped' }, { limit: 1 })).toEqual({ ids: ['ord_4'], hasMore: true });
      expect(await listIds('t', { patientId: 'pat_b' }, { after: 'ord_3', limit: 1 })).toEqual({ ids: ['ord_2'], hasMore: false });
    });

    it('pages a filter after an order that does not match it', async () => {
      expect((await listIds('t', { status: 'shipped' }, { after: 'ord_3', limit: 10 })).ids).toEqual(['ord_2']);
    });
  });

  describe(`${name}: tenants`, () => {
    it('refuses a write for a tenant that was never ensured', async () => {
      await expect(store.putOrder('nobody', record('ord_1'), 0)).rejects.toThrow();
    });

    it('reads a tenant that was never ensured as holding nothing', async () => {
      expect({ order: await store.getOrder('nobody', 'ord_1'), refill: await store.getRefill('nobody', 'ref_1') }).toEqual({ order: undefined, refill: undefined });
    });

    it('forgets a dropped tenant, so ensureTenant seeds it again', async () => {
      await store.ensureTenant('t', seedOf([record('ord_seed')]));
      await store.putOrder('t', record('ord_later'), 0);
      await store.dropTenant('t');
      expect({ read: await store.getOrder('t', 'ord_later'), seededAgain: await store.ensureTenant('t', seedOf([record('ord_seed')])) })
        .toEqual({ read: undefined, seededAgain: true });
      expect((await listIds('t')).ids).toEqual(['ord_seed']);
    });

    it('seeds a new tenant', async () => {
      await store.ensureTenant('t', seedOf([record('ord_seed')]));
      expect((await listIds('t')).ids).toEqual(['ord_seed']);
    });

    it('does not reseed a tenant that exists', async () => {
      await tenantWith('t', [record('ord_1')]);
      const seed = vi.fn(seedOf([record('ord_seed')]));
      await store.ensureTenant('t', seed);
      expect(seed).not.toHaveBeenCalled();
      expect((await listIds('t')).ids).toEqual(['ord_1']);
    });

    it('hides one tenant\'s order from another', async () => {
      await tenantWith('a', [record('ord_1')]);
      await tenantWith('b', []);
      expect(await store.getOrder('b', 'ord_1')).toBeUndefined();
    });

    it('lists only the calling tenant\'s orders', async () => {
      await tenantWith('a', [record('ord_1')]);
      await tenantWith('b', [record('ord_2')]);
      expect((await listIds('b')).ids).toEqual(['ord_2']);
    });

    it('keeps idempotency keys per tenant', async () => {
      await tenantWith('a', []);
      await tenantWith('b', []);
      await store.claimIdempotencyKey('a', 'k', 'fp', T0, FAR_PAST, KEEP);
      expect(await store.claimIdempotencyKey('b', 'k', 'other', T0, FAR_PAST, KEEP)).toEqual({ kind: 'claimed' });
    });
  });

  describe(`${name}: resetTenant`, () => {
    beforeEach(() => tenantWith('t', [record('ord_1'), record('ord_2')]));

    it('replaces the orders with the seed', async () => {
      await store.resetTenant('t', [record('ord_seed')]);
      expect((await listIds('t')).ids).toEqual(['ord_seed']);
      expect(await store.getOrder('t', 'ord_1')).toBeUndefined();
    });

    it('forgets idempotency keys', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      await store.completeIdempotencyKey('t', 'k', answer);
      await store.resetTenant('t', []);
      expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST, KEEP)).toEqual({ kind: 'claimed' });
    });

    it('makes a cursor from before the reset unknown', async () => {
      await store.resetTenant('t', []);
      await expect(store.listOrders('t', {}, { after: 'ord_2', limit: 1 })).rejects.toBeInstanceOf(UnknownCursorError);
    });

    it('leaves other tenants alone', async () => {
      await tenantWith('other', [record('ord_9')]);
      await store.resetTenant('t', []);
      expect((await listIds('other')).ids).toEqual(['ord_9']);
    });
  });

  describe(`${name}: idempotency keys`, () => {
    beforeEach(() => tenantWith('t', []));

    it('answers in_use for a claimed, unfinished key', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP)).toEqual({ kind: 'in_use' });
    });

    it('answers replay with the completed answer', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      await store.completeIdempotencyKey('t', 'k', answer);
      expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP)).toEqual({ kind: 'replay', answer });
    });

    it('answers conflict for another fingerprint', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST, KEEP)).toEqual({ kind: 'conflict' });
    });

    it('lets a released key be claimed again', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      await store.releaseIdempotencyKey('t', 'k');
      expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST, KEEP)).toEqual({ kind: 'claimed' });
    });

    it('treats a key claimed before expiresBefore as absent', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      expect(await store.claimIdempotencyKey('t', 'k', 'other', T0 + 10, T0 + 1, KEEP)).toEqual({ kind: 'claimed' });
    });

    it('keeps a key claimed exactly at expiresBefore', async () => {
      await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP);
      expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0 + 10, T0, KEEP)).toEqual({ kind: 'in_use' });
    });

    it('keeps at most `keep` keys, dropping the finished ones claimed longest ago', async () => {
      for (const key of ['k1', 'k2', 'k3']) {
        await store.claimIdempotencyKey('t', key, 'fp', T0, FAR_PAST, 3);
        await store.completeIdempotencyKey('t', key, answer);
      }
      expect(await store.claimIdempotencyKey('t', 'k4', 'fp', T0, FAR_PAST, 3)).toEqual({ kind: 'claimed' });
      // k1 was dropped early: claiming it again (even for another request) runs afresh.
      expect(await store.claimIdempotencyKey('t', 'k1', 'other', T0, FAR_PAST, 3)).toEqual({ kind: 'claimed' });
      expect(await store.claimIdempotencyKey('t', 'k3', 'fp', T0, FAR_PAST, 3)).toEqual({ kind: 'replay', answer });
      // k2 went to make room for the re-claimed k1.
      expect(await store.claimIdempotencyKey('t', 'k2', 'other', T0, FAR_PAST, 3)).toEqual({ kind: 'claimed' });
    });

    it('never drops a claim in flight to keep to `keep`', async () => {
      await store.claimIdempotencyKey('t', 'flying', 'fp', T0, FAR_PAST, 1);
      await store.claimIdempotencyKey('t', 'done', 'fp', T0, FAR_PAST, 1);
      await store.completeIdempotencyKey('t', 'done', answer);
      expect(await store.claimIdempotencyKey('t', 'new', 'fp', T0, FAR_PAST, 1)).toEqual({ kind: 'claimed' });
      expect(await store.claimIdempotencyKey('t', 'flying', 'fp', T0, FAR_PAST, 1)).toEqual({ kind: 'in_use' });
      expect(await store.claimIdempotencyKey('t', 'new', 'fp', T0, FAR_PAST, 1)).toEqual({ kind: 'in_use' });
      expect(await store.claimIdempotencyKey('t', 'done', 'other', T0, FAR_PAST, 1)).toEqual({ kind: 'claimed' });
    });

    it('keeps a fresh re-claim while dropping expired keys', async () => {
      await store.claimIdempotencyKey('t', 'old', 'fp', T0, FAR_PAST, KEEP);
      await store.claimIdempotencyKey('t', 'k', 'fp', T0 + 1, FAR_PAST, KEEP);
      await store.claimIdempotencyKey('t', 'old', 'fp2', T0 + 100, T0 + 50, KEEP);
      expect(await store.claimIdempotencyKey('t', 'old', 'fp2', T0 + 100, T0 + 50, KEEP)).toEqual({ kind: 'in_use' });
    });
  });

  describe(`${name}: compare-and-set of a record's version`, () => {
    beforeEach(() => tenantWith('t', [record('ord_1')]));

    it('writes when the stored version is the expected one, and the record carries its new version', async () => {
      expect(await store.putOrder('t', { ...record('ord_1', 'processing'), version: 2 }, 1)).toBe(true);
      expect(await store.getOrder('t', 'ord_1')).toMatchObject({ version: 2, order: { status: 'processing' } });
    });

    it('refuses a write from a stale version and keeps the stored record', async () => {
      expect(await store.putOrder('t', { ...record('ord_1', 'cancelled'), version: 2 }, 0)).toBe(false);
      expect(await store.putOrder('t', { ...record('ord_1', 'cancelled'), version: 5 }, 4)).toBe(false);
      expect((await store.getOrder('t', 'ord_1'))!.order.status).toBe('pending');
    });

    it('lets exactly one of many writers from the same version win, at once', async () => {
      const wins = await Promise.all(['processing', 'cancelled', 'processing', 'cancelled', 'processing'].map((status) =>
        store.putOrder('t', { ...record('ord_1', status as OrderStatus), version: 2 }, 1)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('inserts a new record only once, at once', async () => {
      const wins = await Promise.all([1, 2, 3].map(() => store.putOrder('t', record('ord_new'), 0)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await listIds('t')).ids).toEqual(['ord_new', 'ord_1']);
    });

    it('compares and sets refills the same way', async () => {
      expect(await store.putRefill('t', refill('ref_1'), 0)).toBe(true);
      expect(await store.putRefill('t', refill('ref_1', 'rx_1', 2), 0)).toBe(false);
      const wins = await Promise.all([1, 2, 3].map(() => store.putRefill('t', refill('ref_1', 'rx_1', 2), 1)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await store.getRefill('t', 'ref_1'))!.version).toBe(2);
    });

    it('refuses a write to a record a reset removed', async () => {
      await store.resetTenant('t', []);
      expect(await store.putOrder('t', { ...record('ord_1', 'processing'), version: 2 }, 1)).toBe(false);
      expect(await store.getOrder('t', 'ord_1')).toBeUndefined();
    });
  });

  describe(`${name}: refills`, () => {
    beforeEach(() => tenantWith('t', []));

    it('counts a tenant\'s orders and refills, each tenant its own, and none after a reset', async () => {
      await tenantWith('other', [record('ord_9')]);
      expect(await store.countOrders('t')).toBe(0);
      for (const id of ['ord_1', 'ord_2']) await store.putOrder('t', record(id), 0);
      await store.putOrder('t', { ...record('ord_1', 'processing'), version: 2 }, 1);
      for (const id of ['ref_1', 'ref_2', 'ref_3']) await store.putRefill('t', refill(id), 0);
      await store.putRefill('t', refill('ref_1', 'rx_1', 2), 1);
      expect([await store.countOrders('t'), await store.countRefills('t')]).toEqual([2, 3]);
      expect([await store.countOrders('other'), await store.countRefills('other')]).toEqual([1, 0]);
      await store.resetTenant('t', [record('ord_seed')]);
      expect([await store.countOrders('t'), await store.countRefills('t')]).toEqual([1, 0]);
      expect([await store.countOrders('nobody'), await store.countRefills('nobody')]).toEqual([0, 0]);
    });

    it('lists a prescription\'s refills oldest first, and only that prescription\'s', async () => {
      for (const [id, rx] of [['ref_1', 'rx_a'], ['ref_2', 'rx_b'], ['ref_3', 'rx_a']] as const) await store.putRefill('t', refill(id, rx), 0);
      expect((await store.refillsOfPrescription('t', 'rx_a')).map((r) => r.refill.id)).toEqual(['ref_1', 'ref_3']);
    });

    it('drops refills on reset', async () => {
      await store.putRefill('t', refill('ref_1'), 0);
      await store.resetTenant('t', []);
      expect(await store.getRefill('t', 'ref_1')).toBeUndefined();
    });
  });

  describe(`${name}: listing refills`, () => {
    async function refillIds(tenant: string, filter = {}, page: { after?: string; limit: number } = { limit: 100 }) {
      const result = await store.listRefills(tenant, filter, page);
      return { ids: result.records.map((r) => r.refill.id), hasMore: result.hasMore };
    }

    beforeEach(async () => {
      await tenantWith('t', []);
      const made: Array<[string, RefillStatus, string]> = [
        ['ref_1', 'pending', 'pat_a'], ['ref_2', 'approved', 'pat_b'], ['ref_3', 'pending', 'pat_b'], ['ref_4', 'approved', 'pat_a'],
      ];
      for (const [id, status, patient] of made) expect(await store.putRefill('t', refill(id, 'rx_1', 1, status, patient), 0)).toBe(true);
    });

    it('lists newest first, a page at a time, continuing after the given refill', async () => {
      expect(await refillIds('t', {}, { limit: 3 })).toEqual({ ids: ['ref_4', 'ref_3', 'ref_2'], hasMore: true });
      expect(await refillIds('t', {}, { after: 'ref_2', limit: 3 })).toEqual({ ids: ['ref_1'], hasMore: false });
      expect(await refillIds('t', {}, { limit: 4 })).toEqual({ ids: ['ref_4', 'ref_3', 'ref_2', 'ref_1'], hasMore: false });
    });

    it('filters by status and patient, and follows a status change in place', async () => {
      expect((await refillIds('t', { status: 'approved' })).ids).toEqual(['ref_4', 'ref_2']);
      expect((await refillIds('t', { patientId: 'pat_b' })).ids).toEqual(['ref_3', 'ref_2']);
      expect(await store.putRefill('t', refill('ref_1', 'rx_1', 2, 'approved', 'pat_a'), 1)).toBe(true);
      expect((await refillIds('t', { status: 'approved', patientId: 'pat_a' })).ids).toEqual(['ref_4', 'ref_1']);
      expect((await refillIds('t', { status: 'pending' })).ids).toEqual(['ref_3']);
      expect((await store.listRefills('t', { status: 'approved' }, { limit: 1 })).records[0]!.refill.status).toBe('approved');
    });

    it('lists only the calling tenant\'s refills, and throws UnknownCursorError for one it does not have', async () => {
      await tenantWith('other', []);
      await store.putRefill('other', refill('ref_9'), 0);
      expect((await refillIds('other')).ids).toEqual(['ref_9']);
      await expect(store.listRefills('other', {}, { after: 'ref_1', limit: 2 })).rejects.toBeInstanceOf(UnknownCursorError);
    });

    it('lists none after a reset, where a cursor from before is unknown', async () => {
      await store.resetTenant('t', []);
      expect(await refillIds('t')).toEqual({ ids: [], hasMore: false });
      await expect(store.listRefills('t', {}, { after: 'ref_2', limit: 1 })).rejects.toBeInstanceOf(UnknownCursorError);
    });
  });

  describe(`${name}: atomic claims and tenant creation`, () => {
    it('gives an idempotency key to exactly one of many claims at once', async () => {
      await tenantWith('t', []);
      const claims = await Promise.all([1, 2, 3, 4, 5].map(() => store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST, KEEP)));
      expect(claims.map((claim) => claim.kind).sort()).toEqual(['claimed', 'in_use', 'in_use', 'in_use', 'in_use']);
    });

    it('creates a tenant exactly once when asked at once', async () => {
      const created = await Promise.all([1, 2, 3].map(() => store.ensureTenant('t', seedOf([record('ord_seed')]))));
      expect(created.filter(Boolean)).toHaveLength(1);
      expect((await listIds('t')).ids).toEqual(['ord_seed']);
    });
  });

  describe(`${name}: settings and clock`, () => {
    it('keeps the seed\'s settings', async () => {
      await store.ensureTenant('t', seedOf([]));
      expect(await store.getSettings('t')).toEqual({ defaultSecret: 'whsec_default', clockAdvancedMs: 0 });
      expect(await store.getSettings('nobody')).toBeUndefined();
    });

    it('adds up clock advances, losing none when they come at once', async () => {
      await store.ensureTenant('t', seedOf([]));
      const totals = await Promise.all([1_000, 2_000, 3_000].map((ms) => store.advanceClock('t', ms)));
      expect(Math.max(...totals)).toBe(6_000);
      expect((await store.getSettings('t'))!.clockAdvancedMs).toBe(6_000);
    });

    it('keeps settings and clock across a reset, and loses them with the tenant', async () => {
      await store.ensureTenant('t', seedOf([]));
      await store.advanceClock('t', 5_000);
      await store.resetTenant('t', []);
      expect(await store.getSettings('t')).toEqual({ defaultSecret: 'whsec_default', clockAdvancedMs: 5_000 });
      await store.dropTenant('t');
      await store.ensureTenant('t', seedOf([]));
      expect((await store.getSettings('t'))!.clockAdvancedMs).toBe(0);
    });
  });

  describe(`${name}: webhook endpoints and deliveries`, () => {
    beforeEach(() => store.ensureTenant('t', seedOf([], [endpoint('we_seeded')])));

    it('lists endpoints oldest first, the seed\'s first', async () => {
      await store.addEndpoint('t', endpoint('we_1'));
      await store.addEndpoint('t', endpoint('we_2'));
      expect((await store.listEndpoints('t')).map((e) => e.id)).toEqual(['we_seeded', 'we_1', 'we_2']);
    });

    it('deletes an endpoint with its deliveries, and says whether there was one', async () => {
      await store.addEndpoint('t', endpoint('we_1'));
      await store.appendDeliveries('t', 'we_1', [attempt('evt_1', '2025-01-15T15:00:00Z')], KEEP);
      expect(await store.deleteEndpoint('t', 'we_1')).toBe(true);
      expect(await store.deleteEndpoint('t', 'we_1')).toBe(false);
      expect(await store.listDeliveries('t', 'we_1')).toBeUndefined();
    });

    it('lists an endpoint\'s attempts oldest first, whatever order they were recorded in', async () => {
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_2', '2025-01-15T15:00:02Z')], KEEP);
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_1', '2025-01-15T15:00:01Z')], KEEP);
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_3', '2025-01-15T15:00:02Z')], KEEP);
      expect((await store.listDeliveries('t', 'we_seeded'))!.map((a) => a.eventId)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    });

    it('keeps an endpoint\'s `keep` newest attempts, dropping older ones', async () => {
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_1', '2025-01-15T15:00:01Z'), attempt('evt_2', '2025-01-15T15:00:02Z')], 3);
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_4', '2025-01-15T15:00:04Z'), attempt('evt_3', '2025-01-15T15:00:03Z')], 3);
      expect((await store.listDeliveries('t', 'we_seeded'))!.map((a) => a.eventId)).toEqual(['evt_2', 'evt_3', 'evt_4']);
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_0', '2025-01-15T15:00:00Z'), attempt('evt_5', '2025-01-15T15:00:04Z')], 3);
      // An attempt recorded late but older than every kept one is itself the oldest, and goes.
      expect((await store.listDeliveries('t', 'we_seeded'))!.map((a) => a.eventId)).toEqual(['evt_3', 'evt_4', 'evt_5']);
    });

    it('lists each attempt\'s body and signature as recorded', async () => {
      const recorded = [attempt('evt_1', '2025-01-15T15:00:01Z'), attempt('evt_2', '2025-01-15T15:00:02Z')];
      await store.appendDeliveries('t', 'we_seeded', recorded, KEEP);
      const listed = (await store.listDeliveries('t', 'we_seeded'))!;
      expect(listed.map(({ body, signature }) => ({ body, signature }))).toEqual(recorded.map(({ body, signature }) => ({ body, signature })));
    });

    it('drops an attempt for an endpoint that is gone', async () => {
      await store.appendDeliveries('t', 'we_gone', [attempt('evt_1', '2025-01-15T15:00:00Z')], KEEP);
      expect(await store.listDeliveries('t', 'we_gone')).toBeUndefined();
    });

    it('keeps only the seed\'s endpoints across a reset, with no deliveries', async () => {
      await store.addEndpoint('t', endpoint('we_1'));
      await store.appendDeliveries('t', 'we_seeded', [attempt('evt_1', '2025-01-15T15:00:00Z')], KEEP);
      await store.resetTenant('t', []);
      expect((await store.listEndpoints('t')).map((e) => e.id)).toEqual(['we_seeded']);
      expect(await store.listDeliveries('t', 'we_seeded')).toEqual([]);
    });

    it('keeps endpoints per tenant', async () => {
      await store.ensureTenant('other', seedOf([]));
      await store.addEndpoint('t', endpoint('we_1'));
      expect(await store.listEndpoints('other')).toEqual([]);
      expect(await store.listDeliveries('other', 'we_1')).toBeUndefined();
    });
  });
}

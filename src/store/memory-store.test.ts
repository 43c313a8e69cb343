import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderStatus } from '../api-types.ts';
import type { OrderRecord, StoredAnswer } from '../domain/records.ts';
import { MemoryStore } from './memory-store.ts';
import { UnknownCursorError } from './store.ts';

const T0 = Date.parse('2025-01-15T15:00:00Z');
const FAR_PAST = T0 - 1;

function record(id: string, status: OrderStatus = 'pending', patientId = 'pat_1'): OrderRecord {
  const at = '2025-01-15T15:00:00Z';
  return {
    order: {
      id, patientId, prescriptionId: 'rx_1', status,
      shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      createdAt: at, updatedAt: at,
    },
    history: [{ status, at, reason: 'test' }],
  };
}

const answer: StoredAnswer = { status: 201, body: '{}', headers: {}, requestId: 'req_1' };

let store: MemoryStore;

/** Creates `tenant` and saves orders with these ids, oldest first. */
async function tenantWith(tenant: string, records: OrderRecord[]): Promise<void> {
  await store.ensureTenant(tenant, () => []);
  for (const r of records) await store.saveOrder(tenant, r);
}

async function listIds(tenant: string, filter = {}, page: { after?: string; limit: number } = { limit: 100 }) {
  const result = await store.listOrders(tenant, filter, page);
  return { ids: result.records.map((r) => r.order.id), hasMore: result.hasMore };
}

beforeEach(() => {
  store = new MemoryStore();
});

describe('MemoryStore pagination', () => {
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
    await store.saveOrder('t', record('ord_2', 'cancelled'));
    const { records } = await store.listOrders('t', {}, { limit: 100 });
    expect(records.map((r) => r.order.id)).toEqual(['ord_5', 'ord_4', 'ord_3', 'ord_2', 'ord_1']);
    expect(records[3]!.order.status).toBe('cancelled');
  });

  it('throws UnknownCursorError for an order it does not have', async () => {
    await expect(store.listOrders('t', {}, { after: 'ord_unknown', limit: 2 })).rejects.toBeInstanceOf(UnknownCursorError);
  });
});

describe('MemoryStore filters', () => {
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

describe('MemoryStore tenants', () => {
  it('refuses a write for a tenant that was never ensured', async () => {
    await expect(store.saveOrder('nobody', record('ord_1'))).rejects.toThrow(/before ensureTenant/);
  });

  it('reads a tenant that was never ensured as holding nothing', async () => {
    expect({ order: await store.getOrder('nobody', 'ord_1'), refill: await store.getRefill('nobody', 'ref_1') }).toEqual({ order: undefined, refill: undefined });
  });

  it('forgets a dropped tenant, so ensureTenant seeds it again', async () => {
    await store.ensureTenant('t', () => [record('ord_seed')]);
    await store.saveOrder('t', record('ord_later'));
    await store.dropTenant('t');
    expect({ read: await store.getOrder('t', 'ord_later'), seededAgain: await store.ensureTenant('t', () => [record('ord_seed')]) })
      .toEqual({ read: undefined, seededAgain: true });
    expect((await listIds('t')).ids).toEqual(['ord_seed']);
  });

  it('seeds a new tenant', async () => {
    await store.ensureTenant('t', () => [record('ord_seed')]);
    expect((await listIds('t')).ids).toEqual(['ord_seed']);
  });

  it('does not reseed a tenant that exists', async () => {
    await tenantWith('t', [record('ord_1')]);
    const seed = vi.fn(() => [record('ord_seed')]);
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
    await store.claimIdempotencyKey('a', 'k', 'fp', T0, FAR_PAST);
    expect(await store.claimIdempotencyKey('b', 'k', 'other', T0, FAR_PAST)).toEqual({ kind: 'claimed' });
  });
});

describe('MemoryStore resetTenant', () => {
  beforeEach(() => tenantWith('t', [record('ord_1'), record('ord_2')]));

  it('replaces the orders with the seed', async () => {
    await store.resetTenant('t', [record('ord_seed')]);
    expect((await listIds('t')).ids).toEqual(['ord_seed']);
    expect(await store.getOrder('t', 'ord_1')).toBeUndefined();
  });

  it('forgets idempotency keys', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    await store.completeIdempotencyKey('t', 'k', answer);
    await store.resetTenant('t', []);
    expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST)).toEqual({ kind: 'claimed' });
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

describe('MemoryStore idempotency keys', () => {
  beforeEach(() => tenantWith('t', []));

  it('answers in_use for a claimed, unfinished key', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST)).toEqual({ kind: 'in_use' });
  });

  it('answers replay with the completed answer', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    await store.completeIdempotencyKey('t', 'k', answer);
    expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST)).toEqual({ kind: 'replay', answer });
  });

  it('answers conflict for another fingerprint', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST)).toEqual({ kind: 'conflict' });
  });

  it('lets a released key be claimed again', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    await store.releaseIdempotencyKey('t', 'k');
    expect(await store.claimIdempotencyKey('t', 'k', 'other', T0, FAR_PAST)).toEqual({ kind: 'claimed' });
  });

  it('treats a key claimed before expiresBefore as absent', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    expect(await store.claimIdempotencyKey('t', 'k', 'other', T0 + 10, T0 + 1)).toEqual({ kind: 'claimed' });
  });

  it('keeps a key claimed exactly at expiresBefore', async () => {
    await store.claimIdempotencyKey('t', 'k', 'fp', T0, FAR_PAST);
    expect(await store.claimIdempotencyKey('t', 'k', 'fp', T0 + 10, T0)).toEqual({ kind: 'in_use' });
  });

  it('keeps a fresh re-claim while dropping expired keys', async () => {
    await store.claimIdempotencyKey('t', 'old', 'fp', T0, FAR_PAST);
    await store.claimIdempotencyKey('t', 'k', 'fp', T0 + 1, FAR_PAST);
    await store.claimIdempotencyKey('t', 'old', 'fp2', T0 + 100, T0 + 50);
    expect(await store.claimIdempotencyKey('t', 'old', 'fp2', T0 + 100, T0 + 50)).toEqual({ kind: 'in_use' });
  });
});

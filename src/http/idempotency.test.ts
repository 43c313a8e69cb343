import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredAnswer } from '../store/store.ts';
import { Refusal } from '../domain/refusal.ts';
import { answerOf, HttpRefusal } from './errors.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { IDEMPOTENCY_TTL_MS, parseIdempotencyKey, requestFingerprint, runIdempotent, type IdempotentCall } from './idempotency.ts';

const T0 = Date.parse('2025-01-15T15:00:00Z');
const TENANT = 'tenant-a';
const BODY = { patientId: 'pat_1', prescriptionId: 'rx_1' };

let store: MemoryStore;
const EMPTY_SEED = () => ({ settings: { defaultSecret: 'whsec_test', clockAdvancedMs: 0 }, orders: [], endpoints: [] });

beforeEach(async () => {
  store = new MemoryStore();
  await store.ensureTenant(TENANT, EMPTY_SEED);
  await store.ensureTenant('tenant-b', EMPTY_SEED);
});

function call(overrides: Partial<IdempotentCall> = {}): IdempotentCall {
  return {
    store, tenant: TENANT, key: 'key-1',
    fingerprint: requestFingerprint('POST', '/orders', BODY),
    now: T0, requestId: 'req_first', creates: 'order', keep: 1000,
    ...overrides,
  };
}

function created(body = '{"id":"ord_1"}'): StoredAnswer {
  return { status: 201, body, headers: { Location: '/orders/ord_1' }, requestId: 'req_first' };
}

/** Fake work that counts its runs and answers `created()`. */
function countingWork(answer = created()) {
  return vi.fn(async () => answer);
}

/** Work that stays in flight until `release` is called. */
function heldWork() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const work = vi.fn(async () => { await gate; return created(); });
  return { work, release };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<Refusal & { status: number; headers: Record<string, string> }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Refusal);
  return Object.assign(error as Refusal, answerOf(error as Refusal));
}

describe('runIdempotent', () => {
  it('runs the work and does not replay when there is no key', async () => {
    const work = countingWork();
    await runIdempotent(call({ key: undefined }), work);
    const second = await runIdempotent(call({ key: undefined }), work);
    expect(work).toHaveBeenCalledTimes(2);
    expect(second.replayed).toBe(false);
  });

  it('claims the key before the work starts', async () => {
    let claimDuringWork: unknown;
    await runIdempotent(call(), async () => {
      claimDuringWork = await store.claimIdempotencyKey(TENANT, 'key-1', call().fingerprint, T0, T0 - IDEMPOTENCY_TTL_MS, 1000);
      return created();
    });
    expect(claimDuringWork).toEqual({ kind: 'in_use' });
  });

  it('returns the first answer unreplayed', async () => {
    const result = await runIdempotent(call(), countingWork());
    expect(result).toEqual({ answer: created(), replayed: false });
  });

  it('replays the stored answer without running the work again', async () => {
    await runIdempotent(call(), countingWork());
    const work = countingWork(created('{"id":"ord_2"}'));
    const result = await runIdempotent(call({ requestId: 'req_second' }), work);
    expect(work).not.toHaveBeenCalled();
    expect(result).toEqual({ answer: created(), replayed: true });
  });

  it('refuses the same key with a different fingerprint as idempotency_key_conflict', async () => {
    await runIdempotent(call(), countingWork());
    const work = countingWork();
    const error = await apiErrorOf(runIdempotent(call({ fingerprint: requestFingerprint('POST', '/orders', { other: 1 }) }), work));
    expect(error.code).toBe('idempotency_key_conflict');
    expect(error.status).toBe(409);
    expect(work).not.toHaveBeenCalled();
  });

  it('keeps the first answer after a conflict', async () => {
    await runIdempotent(call(), countingWork());
    await runIdempotent(call({ fingerprint: 'different' }), countingWork()).catch(() => undefined);
    const result = await runIdempotent(call(), countingWork());
    expect(result).toEqual({ answer: created(), replayed: true });
  });

  it('refuses a second request while the first is in flight as idempotency_key_in_use with Retry-After 1', async () => {
    const { work, release } = heldWork();
    const first = runIdempotent(call(), work);
    const error = await apiErrorOf(runIdempotent(call(), countingWork()));
    release();
    await first;
    expect(error.code).toBe('idempotency_key_in_use');
    expect(error.status).toBe(409);
    expect(error.headers).toEqual({ 'Retry-After': '1' });
  });

  it('stores a 4xx refusal from the work and replays it', async () => {
    const refusal = new Refusal('validation_error', 'Not eligible', { field: 'prescriptionId', reason: 'Too early' });
    const first = await runIdempotent(call(), async () => { throw refusal; });
    const work = countingWork();
    const second = await runIdempotent(call({ requestId: 'req_second' }), work);
    expect(first.answer.status).toBe(422);
    expect(JSON.parse(first.answer.body)).toEqual({
      error: { code: 'validation_error', message: 'Not eligible', requestId: 'req_first', details: { field: 'prescriptionId', reason: 'Too early' } },
    });
    expect(second).toEqual({ answer: first.answer, replayed: true });
    expect(work).not.toHaveBeenCalled();
  });

  it('stores the headers of a 4xx refusal with its answer', async () => {
    const first = await runIdempotent(call(), async () => {
      throw new HttpRefusal('rate_limit_exceeded', 'Slow down', { retryAfter: 3 }, { 'Retry-After': '3' });
    });
    expect(first.answer.headers).toEqual({ 'Retry-After': '3' });
  });

  it('releases the claim when the work fails with a 5xx refusal', async () => {
    const failure = new Refusal('internal_error', 'Boom');
    await expect(runIdempotent(call(), async () => { throw failure; })).rejects.toBe(failure);
    const work = countingWork();
    const retry = await runIdempotent(call(), work);
    expect(work).toHaveBeenCalledOnce();
    expect(retry.replayed).toBe(false);
  });

  it('releases the claim, storing nothing, when the work finds a cap reached (limit_reached, a 409)', async () => {
    const full = new Refusal('limit_reached', 'Full', { limit: 3, reason: 'POST /sandbox/reset' });
    await expect(runIdempotent(call(), async () => { throw full; })).rejects.toBe(full);
    const work = countingWork();
    const retry = await runIdempotent(call(), work);
    expect(work).toHaveBeenCalledOnce();
    expect(retry).toEqual({ answer: created(), replayed: false });
  });

  it('releases the claim when the work throws something other than a refusal', async () => {
    const failure = new TypeError('store went away');
    await expect(runIdempotent(call(), async () => { throw failure; })).rejects.toBe(failure);
    const work = countingWork();
    await runIdempotent(call(), work);
    expect(work).toHaveBeenCalledOnce();
  });

  it('lets a retry after a released claim use a different body', async () => {
    await runIdempotent(call(), async () => { throw new Error('boom'); }).catch(() => undefined);
    const result = await runIdempotent(call({ fingerprint: 'another body' }), countingWork());
    expect(result.replayed).toBe(false);
  });

  it('still replays exactly 24 hours after the first request', async () => {
    await runIdempotent(call(), countingWork());
    const work = countingWork();
    const result = await runIdempotent(call({ now: T0 + IDEMPOTENCY_TTL_MS }), work);
    expect(result.replayed).toBe(true);
    expect(work).not.toHaveBeenCalled();
  });

  it('treats a key older than 24 hours as new', async () => {
    await runIdempotent(call(), countingWork());
    const work = countingWork(created('{"id":"ord_2"}'));
    const result = await runIdempotent(call({ now: T0 + IDEMPOTENCY_TTL_MS + 1 }), work);
    expect(work).toHaveBeenCalledOnce();
    expect(result).toEqual({ answer: created('{"id":"ord_2"}'), replayed: false });
  });

  it('does not report a conflict for an expired key reused with another body', async () => {
    await runIdempotent(call(), countingWork());
    const result = await runIdempotent(call({ now: T0 + IDEMPOTENCY_TTL_MS + 1, fingerprint: 'another body' }), countingWork());
    expect(result.replayed).toBe(false);
  });

  it('keeps keys of different tenants independent', async () => {
    await runIdempotent(call(), countingWork());
    const work = countingWork();
    const result = await runIdempotent(call({ tenant: 'tenant-b', fingerprint: 'another body' }), work);
    expect(work).toHaveBeenCalledOnce();
    expect(result.replayed).toBe(false);
  });
});

describe('requestFingerprint', () => {
  it('ignores the order of object keys', () => {
    expect(requestFingerprint('POST', '/orders', { a: 1, b: 2 })).toBe(requestFingerprint('POST', '/orders', { b: 2, a: 1 }));
  });

  it('ignores the order of nested object keys', () => {
    expect(requestFingerprint('POST', '/orders', { x: { city: 'Austin', state: 'TX' } }))
      .toBe(requestFingerprint('POST', '/orders', { x: { state: 'TX', city: 'Austin' } }));
  });

  it('differs when a value differs', () => {
    expect(requestFingerprint('POST', '/orders', { a: 1 })).not.toBe(requestFingerprint('POST', '/orders', { a: 2 }));
  });

  it('differs when a value changes type', () => {
    expect(requestFingerprint('POST', '/orders', { a: 1 })).not.toBe(requestFingerprint('POST', '/orders', { a: '1' }));
  });

  it('keeps the order of array items significant', () => {
    expect(requestFingerprint('POST', '/orders', { a: [1, 2] })).not.toBe(requestFingerprint('POST', '/orders', { a: [2, 1] }));
  });

  it('differs by path', () => {
    expect(requestFingerprint('POST', '/orders', BODY)).not.toBe(requestFingerprint('POST', '/refills', BODY));
  });

  it('differs by method', () => {
    expect(requestFingerprint('POST', '/orders', BODY)).not.toBe(requestFingerprint('PUT', '/orders', BODY));
  });
});

describe('parseIdempotencyKey', () => {
  async function refusalOf(header: string | undefined, required = false): Promise<Refusal & { status: number; headers: Record<string, string> }> {
    return apiErrorOf(Promise.resolve().then(() => parseIdempotencyKey(header, required)));
  }

  it('returns undefined for an absent optional key', () => {
    expect(parseIdempotencyKey(undefined, false)).toBeUndefined();
  });

  it('refuses an absent key when one is required', async () => {
    const error = await refusalOf(undefined, true);
    expect(error.code).toBe('invalid_request');
    expect(error.details).toEqual({ field: 'Idempotency-Key', reason: 'Required' });
  });

  it('returns a valid key unchanged', () => {
    expect(parseIdempotencyKey('order-2025-01-15-001', false)).toBe('order-2025-01-15-001');
  });

  it('accepts a key of 255 characters', () => {
    expect(parseIdempotencyKey('k'.repeat(255), false)).toBe('k'.repeat(255));
  });

  it.each([
    ['an empty key', ''],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a non-ASCII key', 'clé-1'],
    ['a key with a space', 'order 1'],
    ['a key with a tab', 'order\t1'],
  ])('refuses %s as invalid_request naming the header', async (_name, header) => {
    const error = await refusalOf(header);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.details?.field).toBe('Idempotency-Key');
  });
});

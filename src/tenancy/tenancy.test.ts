import { describe, expect, it } from 'vitest';
import { sandboxCaller } from '../../test/support/sandbox-caller.ts';
import { ManualClock } from '../clock.ts';
import { KeyedLock } from '../concurrency/keyed-lock.ts';
import { Refusal } from '../domain/refusal.ts';
import { TEST_ORDER_ID, testDataOrders } from '../domain/test-data.ts';
import { answerOf } from '../http/errors.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import { createSandbox } from '../sandbox.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { Store } from '../store/store.ts';
import { Tenancy, type TenantPart } from './tenancy.ts';

const SECOND = 1_000;
const IDLE = 60 * SECOND;

/** Lets every promise chain of an in-memory store and the lock run to its end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A tenancy of `maxTenants` on a manual real clock, with a part that records every set-up and forget. */
function tenancyOf(maxTenants = 2, options: { store?: Store; parts?: TenantPart[] } = {}) {
  const realClock = new ManualClock(0);
  const store = options.store ?? new MemoryStore();
  const lock = new KeyedLock<string>();
  const setUps: string[] = [];
  const forgotten: string[] = [];
  const unexpected: unknown[] = [];
  const recorder: TenantPart = {
    name: 'recorder',
    setUp: (tenant) => { setUps.push(tenant); },
    forget: (tenant) => { forgotten.push(tenant); },
  };
  const tenants = new Tenancy({
    store, lock, realClock, maxTenants, idleMs: IDLE,
    parts: [recorder, ...options.parts ?? []],
    initialOrders: testDataOrders,
    reportUnexpected: (error) => unexpected.push(error),
  });
  return { tenants, store, lock, realClock, setUps, forgotten, unexpected };
}

/** The refusal `entering` settles with, or undefined when it is admitted (or was ready at once). */
async function refusalOf(entering: Promise<void> | undefined): Promise<Refusal | undefined> {
  try {
    await entering;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  return undefined;
}

describe('Tenancy', () => {
  it('sets a new key up once, however many requests wait for it', async () => {
    const { tenants, setUps } = tenancyOf();
    await Promise.all([tenants.enter('a'), tenants.enter('a'), tenants.enter('a')]);
    expect(setUps).toEqual(['a']);
  });

  it('answers a known key at once, with nothing to wait for', async () => {
    const { tenants } = tenancyOf();
    await tenants.enter('a');
    expect(tenants.enter('a')).toBeUndefined();
  });

  it('creates a new key in the store with the published test data', async () => {
    const { tenants, store } = tenancyOf();
    await tenants.enter('a');
    expect((await store.getOrder('a', TEST_ORDER_ID))?.order).toEqual(testDataOrders()[0]!.order);
  });

  it('forgets the key unused for longest to make room for a new one', async () => {
    const { tenants, realClock, forgotten, store } = tenancyOf();
    await tenants.enter('a');
    realClock.advance(2 * SECOND);
    await tenants.enter('b');
    realClock.advance(2 * SECOND);
    tenants.enter('a');
    realClock.advance(IDLE);
    await tenants.enter('c');
    await settle();
    expect({ forgotten, size: tenants.size, held: tenants.held().sort(), bInStore: await store.getSettings('b') })
      .toEqual({ forgotten: ['b'], size: 2, held: ['a', 'c'], bInStore: undefined });
  });

  it('refuses a new key with 503 and Retry-After while every held key is in use', async () => {
    const { tenants, realClock, setUps } = tenancyOf();
    await tenants.enter('a');
    await tenants.enter('b');
    realClock.advance(IDLE - 10 * SECOND);
    const error = await refusalOf(tenants.enter('c'));
    expect({ code: error?.code, ...(error === undefined ? {} : answerOf(error)) })
      .toEqual({ code: 'service_unavailable', status: 503, headers: { 'Retry-After': '10' } });
    expect({ setUps, size: tenants.size }).toEqual({ setUps: ['a', 'b'], size: 2 });
  });

  it('does not forget a key with a request under way, however long since it began', async () => {
    const { tenants, realClock, forgotten } = tenancyOf(1);
    await tenants.enter('a');
    let finish!: () => void;
    const request = tenants.use('a', () => new Promise<void>((resolve) => { finish = resolve; }));
    realClock.advance(2 * IDLE);
    const refused = await refusalOf(tenants.enter('b'));
    finish();
    await request;
    await tenants.enter('b');
    await settle();
    expect({ refused: refused && answerOf(refused).status, forgotten }).toEqual({ refused: 503, forgotten: ['a'] });
  });

  it('may forget a key being swept to make room, but only once the sweep is done', async () => {
    const { tenants, realClock, forgotten, setUps } = tenancyOf(1);
    await tenants.enter('a');
    let finish!: () => void;
    const sweep = tenants.background('a', () => new Promise<void>((resolve) => { finish = resolve; }));
    realClock.advance(IDLE);
    await tenants.enter('b');
    await settle();
    const duringSweep = [...forgotten];
    finish();
    await sweep;
    await settle();
    expect({ duringSweep, forgotten, setUps }).toEqual({ duringSweep: [], forgotten: ['a'], setUps: ['a', 'b'] });
  });

  it('sets a forgotten key up afresh when it comes back', async () => {
    const { tenants, realClock, setUps } = tenancyOf(1);
    await tenants.enter('a');
    realClock.advance(IDLE);
    await tenants.enter('b');
    realClock.advance(IDLE);
    await tenants.enter('a');
    expect(setUps).toEqual(['a', 'b', 'a']);
  });

  it('sets a returning key up only after it has been forgotten', async () => {
    const events: string[] = [];
    const finishDrop = new Map<string, () => void>();
    /** Drops a tenant only when the test says so. */
    class SlowDropStore extends MemoryStore {
      override dropTenant(tenant: string): Promise<void> {
        return new Promise((resolve) => {
          finishDrop.set(tenant, () => { events.push(`forgot ${tenant}`); resolve(super.dropTenant(tenant)); });
        });
      }
    }
    const part: TenantPart = { name: 'events', setUp: (tenant) => { events.push(`set up ${tenant}`); } };
    const { tenants, realClock } = tenancyOf(2, { store: new SlowDropStore(), parts: [part] });
    await tenants.enter('a');
    await tenants.enter('x');
    realClock.advance(IDLE);
    const b = tenants.enter('b'); // forgets a, slowly
    await settle();
    expect(finishDrop.has('a')).toBe(true);
    const a = tenants.enter('a'); // must wait for a's forget, then forgets x
    await settle();
    expect({ xForgetStarted: finishDrop.has('x'), setUps: events.filter((event) => event === 'set up a') })
      .toEqual({ xForgetStarted: false, setUps: ['set up a'] });
    finishDrop.get('a')!();
    await settle();
    finishDrop.get('x')!();
    await Promise.all([b, a]);
    expect(events.filter((event) => event.startsWith('forgot'))).toEqual(['forgot a', 'forgot x']);
    expect(events.indexOf('forgot a')).toBeLessThan(events.lastIndexOf('set up a'));
  });

  it('puts a key back to its initial data on reset, keeping its settings', async () => {
    const { tenants, store } = tenancyOf();
    await tenants.enter('a');
    const testOrder = (await store.getOrder('a', TEST_ORDER_ID))!;
    const cancelled = { ...testOrder, order: { ...testOrder.order, status: 'cancelled' as const }, version: testOrder.version + 1 };
    expect(await store.putOrder('a', cancelled, testOrder.version)).toBe(true);
    await store.advanceClock('a', 5_000);
    await tenants.reset('a');
    expect({ order: (await store.getOrder('a', TEST_ORDER_ID))?.order, advanced: (await store.getSettings('a'))?.clockAdvancedMs })
      .toEqual({ order: testDataOrders()[0]!.order, advanced: 5_000 });
  });
});

describe('a new kind of tenant state is one registration', () => {
  /** A part that records every call, in order, with its tenant. */
  function recordingPart(name: string, calls: string[]): TenantPart {
    return {
      name,
      seed: (tenant, seed) => { calls.push(`${name} seed ${tenant}`); seed.settings.defaultSecret = `whsec_${name}_${tenant}`; },
      setUp: (tenant, created) => { calls.push(`${name} setUp ${tenant} ${created ? 'created' : 'existing'}`); },
      reset: (tenant) => { calls.push(`${name} reset ${tenant}`); },
      forget: (tenant) => { calls.push(`${name} forget ${tenant}`); },
    };
  }

  it('calls a registered part\'s seed and setUp on set-up, reset on reset and forget on eviction', async () => {
    const calls: string[] = [];
    const { tenants, realClock, store } = tenancyOf(1, { parts: [recordingPart('first', calls), recordingPart('second', calls)] });
    await tenants.enter('a');
    const secret = (await store.getSettings('a'))?.defaultSecret;
    await tenants.reset('a');
    realClock.advance(IDLE);
    await tenants.enter('b');
    await settle();
    expect({ secret, calls }).toEqual({
      // Parts are walked in the order they were registered; the last seed's say wins.
      secret: 'whsec_second_a',
      calls: [
        'first seed a', 'second seed a', 'first setUp a created', 'second setUp a created',
        'first reset a', 'second reset a',
        'first seed b', 'second seed b',
        'first forget a', 'second forget a',
        'first setUp b created', 'second setUp b created',
      ],
    });
  });

  it('tells setUp whether the store already held the key (from an earlier process), and seeds only a new one', async () => {
    const calls: string[] = [];
    const store = new MemoryStore();
    await store.ensureTenant('a', () => ({ settings: { defaultSecret: 'whsec_earlier', clockAdvancedMs: 0 }, orders: testDataOrders(), endpoints: [] }));
    const { tenants } = tenancyOf(2, { store, parts: [recordingPart('part', calls)] });
    await tenants.enter('a');
    expect({ calls, secret: (await store.getSettings('a'))?.defaultSecret })
      .toEqual({ calls: ['part setUp a existing'], secret: 'whsec_earlier' });
  });

  it('does not call forget while a request holds the key, nor set a refused key up', async () => {
    const calls: string[] = [];
    const { tenants, realClock } = tenancyOf(1, { parts: [recordingPart('part', calls)] });
    await tenants.enter('a');
    let finish!: () => void;
    const request = tenants.use('a', () => new Promise<void>((resolve) => { finish = resolve; }));
    realClock.advance(IDLE);
    expect((await refusalOf(tenants.enter('b')))?.code).toBe('service_unavailable');
    finish();
    await request;
    expect(calls).toEqual(['part seed a', 'part setUp a created']);
  });
});

describe('RateLimiter.forget', () => {
  it('drops a key\'s open windows, so its next request opens a new one', () => {
    const limiter = new RateLimiter({ orders: 100, refills: 100, webhooks: 50 }, new ManualClock(0));
    limiter.take('a', 'orders');
    limiter.take('a', 'orders');
    limiter.forget('a');
    expect(limiter.take('a', 'orders')['X-RateLimit-Remaining']).toBe('99');
  });
});

describe('createSandbox with maxTenants', () => {
  function sandboxOfTwo() {
    const realClock = new ManualClock(Date.parse('2025-02-03T15:00:00Z'));
    const sandbox = createSandbox({ maxTenants: 2, tenantIdleMs: IDLE, realClock, rateLimit: false, sweepIntervalMs: 0 });
    return { sandbox, realClock, as: (key: string) => sandboxCaller(sandbox, key) };
  }

  it('answers a third key with the 503 envelope and Retry-After while two keys are in use', async () => {
    const { as } = sandboxOfTwo();
    await as('key_a')('GET', `/orders/${TEST_ORDER_ID}`);
    await as('key_b')('GET', `/orders/${TEST_ORDER_ID}`);
    const reply = await as('key_c')('GET', `/orders/${TEST_ORDER_ID}`);
    expect({ status: reply.status, code: reply.body.error.code, retryAfter: reply.headers.get('retry-after') })
      .toEqual({ status: 503, code: 'service_unavailable', retryAfter: '60' });
  });

  it('gives a forgotten key the published test data again, without its own orders', async () => {
    const { as, realClock } = sandboxOfTwo();
    const placed = await as('key_a')('POST', '/orders', {
      patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
      shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
    });
    await as('key_b')('GET', `/orders/${TEST_ORDER_ID}`);
    realClock.advance(IDLE);
    expect((await as('key_c')('GET', `/orders/${TEST_ORDER_ID}`)).status).toBe(200);
    realClock.advance(IDLE);
    const statuses = {
      ownOrder: (await as('key_a')('GET', `/orders/${placed.body.id}`)).status,
      testOrder: (await as('key_a')('GET', `/orders/${TEST_ORDER_ID}`)).status,
    };
    expect(statuses).toEqual({ ownOrder: 404, testOrder: 200 });
  });

  it('forgets a key\'s webhook endpoints and clock with it', async () => {
    const realClock = new ManualClock(Date.parse('2025-02-03T15:00:00Z'));
    const sandbox = createSandbox({ maxTenants: 1, tenantIdleMs: IDLE, realClock, clockMode: 'virtual', sweepIntervalMs: 0 });
    const a = sandboxCaller(sandbox, 'key_a');
    const startedAt = (await a('GET', '/sandbox/clock')).body.now;
    await a('POST', '/sandbox/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks' });
    await a('POST', '/sandbox/clock/advance', { seconds: 86_400 });
    realClock.advance(IDLE);
    await sandboxCaller(sandbox, 'key_b')('GET', `/orders/${TEST_ORDER_ID}`);
    realClock.advance(IDLE);
    const after = {
      clock: (await a('GET', '/sandbox/clock')).body.now,
      endpoints: (await a('GET', '/sandbox/webhook-endpoints')).body.data,
    };
    expect(after).toEqual({ clock: startedAt, endpoints: [] });
  });
});

describe('forgetting a key while its work is under way', () => {
  const CREATE = {
    patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
    shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
  };

  it('lets a sweep of the key finish cleanly, whenever the key is forgotten during it', async () => {
    const outcomes = new Set<string>();
    for (let ticks = 0; ticks < 120; ticks += 3) {
      const realClock = new ManualClock(Date.parse('2025-02-03T15:00:00Z'));
      const errors: unknown[] = [];
      const sandbox = createSandbox({ maxTenants: 1, realClock, clock: realClock, sweepIntervalMs: 0, onUnexpectedError: (error) => errors.push(error) });
      for (let i = 0; i < 20; i++) await sandboxCaller(sandbox, 'key_a')('POST', '/orders', CREATE);
      realClock.advance(5 * 3_600_000);
      const sweeping = sandbox.sweep().then(() => 'swept', (error: unknown) => `sweep failed: ${String(error)}`);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      const b = await sandboxCaller(sandbox, 'key_b')('GET', `/orders/${TEST_ORDER_ID}`);
      outcomes.add(`${await sweeping}; key_b ${b.status}; ${errors.length} unexpected`);
    }
    expect([...outcomes]).toEqual(['swept; key_b 200; 0 unexpected']);
  });
});

describe('admission racing with making room (from review)', () => {
  it('never serves a request against a key forgotten between its set-up and its hold', async () => {
    const seen = new Set<string>();
    for (let turns = 0; turns < 30; turns++) {
      const unexpected: unknown[] = [];
      const sandbox = createSandbox({ maxTenants: 1, tenantIdleMs: 0, rateLimit: false, sweepIntervalMs: 0, onUnexpectedError: (error) => unexpected.push(error) });
      const get = (key: string) => sandbox.request(`/orders/${TEST_ORDER_ID}`, { headers: { 'X-API-Key': key } }).then((response) => response.status);
      const later = async () => {
        for (let i = 0; i < turns; i++) await Promise.resolve();
        return get('key_b');
      };
      for (const status of await Promise.all([get('key_a'), later()])) seen.add(String(status));
      expect(unexpected).toEqual([]);
      await sandbox.close();
    }
    expect([...seen].filter((status) => status !== '200' && status !== '503')).toEqual([]);
  });

  it('counts a key only while its own set-up runs: parallel first requests of a refused key are all refused', async () => {
    const realClock = new ManualClock(0);
    const sandbox = createSandbox({ maxTenants: 1, tenantIdleMs: 60_000, realClock, rateLimit: false, sweepIntervalMs: 0 });
    const get = (key: string) => sandbox.request(`/orders/${TEST_ORDER_ID}`, { headers: { 'X-API-Key': key } }).then((response) => response.status);
    expect(await get('key_b')).toBe(200);
    expect(await Promise.all([get('key_a'), get('key_a'), get('key_a')])).toEqual([503, 503, 503]);
    expect(await get('key_b')).toBe(200);
    await sandbox.close();
  });
});

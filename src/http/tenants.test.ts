import { describe, expect, it } from 'vitest';
import { sandboxCaller } from '../../test/support/sandbox-caller.ts';
import { ManualClock } from '../clock.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import { ApiError } from '../errors.ts';
import { createSandbox } from '../sandbox.ts';
import { RateLimiter } from './rate-limit.ts';
import { TenantRegistry } from './tenants.ts';

const SECOND = 1_000;
const IDLE = 60 * SECOND;

/** A registry of `maxTenants` on a manual real clock, recording every set-up and forget. */
function registry(maxTenants = 2) {
  const realClock = new ManualClock(0);
  const setUps: string[] = [];
  const forgotten: string[] = [];
  const tenants = new TenantRegistry({
    maxTenants,
    idleMs: IDLE,
    realClock,
    setUp: async (tenant) => { setUps.push(tenant); },
    forget: async (tenant) => { forgotten.push(tenant); },
  });
  return { tenants, realClock, setUps, forgotten };
}

function refusal(run: () => unknown): ApiError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  return undefined;
}

describe('TenantRegistry', () => {
  it('sets a new key up once, however many requests wait for it', async () => {
    const { tenants, setUps } = registry();
    await Promise.all([tenants.enter('a'), tenants.enter('a'), tenants.enter('a')]);
    expect(setUps).toEqual(['a']);
  });

  it('answers a known key at once, with nothing to wait for', async () => {
    const { tenants } = registry();
    await tenants.enter('a');
    expect(tenants.enter('a')).toBeUndefined();
  });

  it('forgets the key unused for longest to make room for a new one', async () => {
    const { tenants, realClock, forgotten } = registry();
    await tenants.enter('a');
    realClock.advance(2 * SECOND);
    await tenants.enter('b');
    realClock.advance(2 * SECOND);
    tenants.enter('a');
    realClock.advance(IDLE);
    await tenants.enter('c');
    expect({ forgotten, size: tenants.size }).toEqual({ forgotten: ['b'], size: 2 });
  });

  it('refuses a new key with 503 and Retry-After while every held key is in use', async () => {
    const { tenants, realClock } = registry();
    await tenants.enter('a');
    await tenants.enter('b');
    realClock.advance(IDLE - 10 * SECOND);
    const error = refusal(() => tenants.enter('c'));
    expect({ code: error?.code, status: error?.status, retryAfter: error?.headers?.['Retry-After'] })
      .toEqual({ code: 'service_unavailable', status: 503, retryAfter: '10' });
  });

  it('does not forget a key with a request under way, however long since it began', async () => {
    const { tenants, realClock, forgotten } = registry(1);
    await tenants.enter('a');
    let finish!: () => void;
    const request = tenants.track('a', new Promise<void>((resolve) => { finish = resolve; }));
    realClock.advance(2 * IDLE);
    const refused = refusal(() => tenants.enter('b'));
    finish();
    await request;
    await tenants.enter('b');
    expect({ refused: refused?.status, forgotten }).toEqual({ refused: 503, forgotten: ['a'] });
  });

  it('sets a forgotten key up afresh when it comes back', async () => {
    const { tenants, realClock, setUps } = registry(1);
    await tenants.enter('a');
    realClock.advance(IDLE);
    await tenants.enter('b');
    realClock.advance(IDLE);
    await tenants.enter('a');
    expect(setUps).toEqual(['a', 'b', 'a']);
  });

  it('sets a returning key up only after it has been forgotten', async () => {
    const realClock = new ManualClock(0);
    const events: string[] = [];
    const finishForget = new Map<string, () => void>();
    const tenants = new TenantRegistry({
      maxTenants: 2, idleMs: IDLE, realClock,
      setUp: async (tenant) => { events.push(`set up ${tenant}`); },
      forget: (tenant) => new Promise((resolve) => {
        finishForget.set(tenant, () => { events.push(`forgot ${tenant}`); resolve(); });
      }),
    });
    await tenants.enter('a');
    await tenants.enter('x');
    realClock.advance(IDLE);
    const b = tenants.enter('b'); // forgets a, slowly
    const a = tenants.enter('a'); // forgets x, and must wait for a's forget too
    await Promise.resolve();
    finishForget.get('x')!();
    finishForget.get('a')!();
    await Promise.all([b, a]);
    expect(events.indexOf('forgot a')).toBeLessThan(events.lastIndexOf('set up a'));
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

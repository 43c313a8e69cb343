import { describe, expect, it } from 'vitest';
import { sandboxCaller } from '../../test/support/sandbox-caller.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import { seededIds, seededIdsFor } from '../ids.ts';
import { createSandbox, type SandboxOptions } from '../sandbox.ts';

const ORDER = {
  patientId: 'pat_test_001', prescriptionId: 'rx_test_001',
  shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
};

function seeded(options: SandboxOptions = {}) {
  const sandbox = createSandbox({ seed: 7, clockMode: 'virtual', sweepIntervalMs: 0, rateLimit: false, ...options });
  return (key: string) => sandboxCaller(sandbox, key);
}

/** Key A's two orders, the second shipped: their ids, and its tracking number. */
async function keyAStory(as: ReturnType<typeof seeded>) {
  const a = as('key_a');
  const first = (await a('POST', '/orders', ORDER)).body.id;
  const second = (await a('POST', '/orders', ORDER)).body.id;
  const shipped = (await a('POST', `/sandbox/orders/${second}/advance`, { to: 'shipped' })).body;
  return { first, second, trackingNumber: shipped.trackingNumber };
}

describe('seededIdsFor', () => {
  it('repeats a stream for the same seed and name', () => {
    expect(seededIdsFor(7, 'key_a').next('ord')).toBe(seededIdsFor(7, 'key_a').next('ord'));
  });

  it('gives other names and other seeds other streams', () => {
    const ids = [seededIdsFor(7, 'key_a'), seededIdsFor(7, 'key_b'), seededIdsFor(8, 'key_a'), seededIds(7)].map((stream) => stream.next('ord'));
    expect(new Set(ids).size).toBe(4);
  });
});

describe('a seeded sandbox', () => {
  it('gives a key the same ids and tracking numbers whatever another key does in between', async () => {
    const quiet = await keyAStory(seeded());
    const busy = seeded();
    for (let i = 0; i < 3; i++) await busy('key_b')('POST', '/orders', ORDER);
    const story = keyAStory(busy);
    await busy('key_b')('POST', '/orders', ORDER);
    expect(await story).toEqual(quiet);
  });

  it('gives two keys different ids', async () => {
    const as = seeded();
    const [a, b] = [await as('key_a')('POST', '/orders', ORDER), await as('key_b')('POST', '/orders', ORDER)];
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('draws a key\'s --fault-rate faults from its own stream', async () => {
    const statuses = async (as: ReturnType<typeof seeded>, interleave: boolean) => {
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) {
        if (interleave) await as('key_b')('GET', `/orders/${TEST_ORDER_ID}`);
        seen.push((await as('key_a')('GET', `/orders/${TEST_ORDER_ID}`)).status);
      }
      return seen;
    };
    const options: SandboxOptions = { faultRate: 0.5, faultKinds: ['500', '503'] };
    const alone = await statuses(seeded(options), false);
    const together = await statuses(seeded(options), true);
    expect({ together, someFailed: alone.some((status) => status >= 500), someServed: alone.includes(200) })
      .toEqual({ together: alone, someFailed: true, someServed: true });
  });

  it('draws faults from the seed, not from an ids generator it was given', async () => {
    let drawn = 0;
    const inner = seededIds(1);
    const ids = { next: (prefix: string, length?: number) => { drawn++; return inner.next(prefix, length); }, digits: (n: number) => { drawn++; return inner.digits(n); }, int: (bound: number) => { drawn++; return inner.int(bound); } };
    const a = seeded({ ids, faultRate: 0.5, faultKinds: ['500'] })('key_a');
    // Setting the key up draws its default webhook secret from its ids (a sandbox route, so no fault is drawn).
    await a('GET', '/sandbox/clock');
    const drawnAtSetUp = drawn;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await a('GET', `/orders/${TEST_ORDER_ID}`)).status);
    expect({ drawnByRequests: drawn - drawnAtSetUp, someFaulted: statuses.includes(500), someServed: statuses.includes(200) })
      .toEqual({ drawnByRequests: 0, someFaulted: true, someServed: true });
  });
});


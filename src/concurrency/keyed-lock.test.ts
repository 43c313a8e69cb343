import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.ts';

type Op = { mode: 'shared' | 'exclusive' | 'coalesced'; key: 'a' | 'b'; fails: boolean };

const opArb: fc.Arbitrary<Op> = fc.record({
  mode: fc.constantFrom('shared' as const, 'exclusive' as const, 'coalesced' as const),
  key: fc.constantFrom('a' as const, 'b' as const),
  fails: fc.boolean(),
});

describe('KeyedLock under any interleaving', () => {
  it('never runs exclusive work beside other work of its key, and always releases', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.array(opArb, { minLength: 1, maxLength: 12 }), async (s, ops) => {
      const lock = new KeyedLock<string>();
      const running = new Map<string, { shared: number; exclusive: number }>();
      const breaches: string[] = [];
      const work = (op: Op, index: number) => async () => {
        const now = running.get(op.key) ?? { shared: 0, exclusive: 0 };
        running.set(op.key, now);
        const exclusive = op.mode !== 'shared';
        if (exclusive ? now.shared + now.exclusive > 0 : now.exclusive > 0) breaches.push(`op ${index} (${op.mode}) overlapped`);
        if (exclusive) now.exclusive++; else now.shared++;
        await s.schedule(Promise.resolve(), `work ${index}`);
        if (exclusive) now.exclusive--; else now.shared--;
        if (op.fails) throw new Error(`op ${index} failed`);
      };
      const runs = ops.map((op, index) => s.schedule(Promise.resolve(), `ask ${index}`).then(() => {
        if (op.mode === 'shared') return lock.shared(op.key, work(op, index));
        if (op.mode === 'exclusive') return lock.exclusive(op.key, work(op, index));
        return lock.coalesced(op.key, work(op, index));
      }).catch(() => undefined));
      await s.waitFor(Promise.all(runs));
      expect(breaches).toEqual([]);
      expect(lock.isIdle('a') && lock.isIdle('b')).toBe(true);
    }), { numRuns: 300 });
  });

  it('starts exclusive work in the order it was asked for', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 8 }), async (s, count) => {
      const lock = new KeyedLock<string>();
      const started: number[] = [];
      const runs = Array.from({ length: count }, (_, index) => lock.exclusive('k', async () => {
        started.push(index);
        await s.schedule(Promise.resolve(), `work ${index}`);
      }));
      await s.waitFor(Promise.all(runs));
      expect(started).toEqual(Array.from({ length: count }, (_, index) => index));
    }));
  });

  it('answers every coalesced call only once a run that started after the call has finished', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 10 }), async (s, calls) => {
      const lock = new KeyedLock<string>();
      let started = 0;
      let finished = 0;
      const late: string[] = [];
      const answers = Array.from({ length: calls }, (_, index) => s.schedule(Promise.resolve(), `call ${index}`).then(async () => {
        const startedBefore = started;
        await lock.coalesced('k', async () => {
          started++;
          await s.schedule(Promise.resolve(), 'run');
          finished++;
        });
        // Runs finish in the order they start, so one that started after this call has finished.
        if (finished <= startedBefore) late.push(`call ${index} answered after ${finished} runs, ${startedBefore} of them begun before it`);
      }));
      await s.waitFor(Promise.all(answers));
      expect(late).toEqual([]);
    }));
  });
});

describe('KeyedLock', () => {
  it('runs synchronous shared work synchronously when nothing else holds the key', () => {
    const lock = new KeyedLock<string>();
    expect(lock.shared('k', () => 42)).toBe(42);
    expect(lock.isIdle('k')).toBe(true);
  });

  it('makes shared work wait for exclusive work asked for before it', async () => {
    const lock = new KeyedLock<string>();
    const order: string[] = [];
    let open!: () => void;
    const exclusive = lock.exclusive('k', () => new Promise<void>((resolve) => { open = resolve; }).then(() => { order.push('exclusive'); }));
    const shared = lock.shared('k', () => { order.push('shared'); });
    expect(shared).toBeInstanceOf(Promise);
    await Promise.resolve();
    open();
    await Promise.all([exclusive, shared]);
    expect(order).toEqual(['exclusive', 'shared']);
  });

  it('joins coalesced calls made while an earlier run holds the key into one run', async () => {
    const lock = new KeyedLock<string>();
    let runs = 0;
    let open!: () => void;
    const first = lock.coalesced('k', async () => { runs++; await new Promise<void>((resolve) => { open = resolve; }); });
    await Promise.resolve();
    const later = [lock.coalesced('k', async () => { runs++; }), lock.coalesced('k', async () => { runs++; })];
    expect(later[0]).toBe(later[1]);
    open();
    await Promise.all([first, ...later]);
    expect(runs).toBe(2);
  });

  it('releases the key when work throws synchronously', async () => {
    const lock = new KeyedLock<string>();
    expect(() => lock.shared('k', () => { throw new Error('no'); })).toThrow('no');
    await expect(lock.exclusive('k', () => { throw new Error('no'); })).rejects.toThrow('no');
    expect(lock.isIdle('k')).toBe(true);
  });

});

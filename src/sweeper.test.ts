import { describe, expect, it } from 'vitest';
import { KeyedLock } from './concurrency/keyed-lock.ts';
import { TenantDueQueues } from './lifecycle/due-queue.ts';
import { Sweeper } from './sweeper.ts';

/** A sweeper over one engine scheduled for `tenants`, whose sweep of a tenant runs `work`. */
function sweeperOver(tenants: string[], work: (tenant: string) => Promise<void>) {
  const due = new TenantDueQueues();
  for (const tenant of tenants) due.push(tenant, { dueAt: 1, id: `ord_${tenant}` });
  const held: string[] = [];
  let drained = 0;
  const sweeper = new Sweeper({
    engines: [{ due, sweep: work }],
    tenancy: { background: (tenant, run) => { held.push(tenant); return run(); } },
    webhooks: { drainAll: async () => { drained++; }, kickAll: () => {} },
    lock: new KeyedLock<string>(),
    intervalMs: 0,
    reportUnexpected: (error) => { throw error; },
  });
  return { sweeper, held, drained: () => drained };
}

describe('Sweeper', () => {
  it('sweeps every scheduled key, holding each, then waits for the webhooks', async () => {
    const swept: string[] = [];
    const { sweeper, held, drained } = sweeperOver(['a', 'b'], async (tenant) => { swept.push(tenant); });
    await sweeper.sweep();
    expect({ swept, held, drained: drained() }).toEqual({ swept: ['a', 'b'], held: ['a', 'b'], drained: 1 });
  });

  it('sweeps the other keys when one fails, then throws that failure', async () => {
    const swept: string[] = [];
    const { sweeper } = sweeperOver(['a', 'b', 'c'], async (tenant) => {
      if (tenant === 'a') throw new Error('a broke');
      swept.push(tenant);
    });
    await expect(sweeper.sweep()).rejects.toThrow('a broke');
    expect(swept).toEqual(['b', 'c']);
  });

  it('throws every failure together when several keys fail', async () => {
    const { sweeper } = sweeperOver(['a', 'b'], async (tenant) => { throw new Error(`${tenant} broke`); });
    await expect(sweeper.sweep()).rejects.toBeInstanceOf(AggregateError);
  });
});

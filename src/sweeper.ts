import { every } from './clock.ts';
import type { KeyedLock } from './concurrency/keyed-lock.ts';
import type { TenantDueQueues } from './lifecycle/due-queue.ts';

export interface SweeperDeps {
  /** Each lifecycle's schedule, and how it applies a tenant's due changes. */
  engines: ReadonlyArray<{ due: TenantDueQueues; sweep(tenant: string): Promise<void> }>;
  /** Holds a tenant while its changes are applied, so it is not forgotten meanwhile. */
  tenancy: { background<T>(tenant: string, work: () => T): T | Promise<Awaited<T>> };
  webhooks: { drainAll(): Promise<void>; kickAll(): void };
  lock: KeyedLock<string>;
  /** Real ms between background sweeps; 0: none. */
  intervalMs: number;
  reportUnexpected(error: unknown): void;
}

/**
 * Applies due changes with no request asking: every `intervalMs` in the background, or at once
 * through `sweep()`. One sweep runs at a time; ticks while one runs are merged into the next.
 */
export class Sweeper {
  private readonly stopTimer: () => void;

  constructor(private readonly deps: SweeperDeps) {
    this.stopTimer = deps.intervalMs > 0
      ? every(deps.intervalMs, () => { deps.lock.coalesced('sweep', () => this.sweepAll(false)).catch(deps.reportUnexpected); })
      : () => undefined;
  }

  /** Applies every change due on every key's clock now, and waits for the webhooks they send. */
  sweep(): Promise<void> {
    return this.deps.lock.exclusive('sweep', () => this.sweepAll(true));
  }

  stop(): void {
    this.stopTimer();
  }

  /** One key failing does not hold the others back; the failures are thrown together at the end. */
  private async sweepAll(drain: boolean): Promise<void> {
    const { engines, tenancy, webhooks } = this.deps;
    const failures: unknown[] = [];
    const scheduled = new Set(engines.flatMap((engine) => [...engine.due.tenants()]));
    for (const tenant of scheduled) {
      try {
        await tenancy.background(tenant, async () => {
          for (const engine of engines) await engine.sweep(tenant);
        });
      } catch (error) {
        failures.push(error);
      }
    }
    if (drain) await webhooks.drainAll();
    else webhooks.kickAll();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} keys' due changes failed`);
  }
}

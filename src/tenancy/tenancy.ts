import type { Clock } from '../clock.ts';
import type { KeyedLock } from '../concurrency/keyed-lock.ts';
import type { OrderRecord } from '../domain/records.ts';
import { Refusal } from '../domain/refusal.ts';
import type { Store, TenantSeed } from '../store/store.ts';

export const DEFAULT_MAX_TENANTS = 10_000;
export const DEFAULT_TENANT_IDLE_MS = 10 * 60_000;
/** A tenant's place in the least-recently-used order is refreshed at most this often, to keep the hot path to one lookup. */
const REFRESH_MS = 1_000;

/**
 * One kind of state a tenant has outside the store's own data, or a say in what a new tenant
 * starts with. Set-up, reset and forgetting walk every registered part, so a new kind of tenant
 * state is one registration.
 */
export interface TenantPart {
  readonly name: string;
  /** Adds to what a new tenant is created with (before the store holds it). */
  seed?(tenant: string, seed: TenantSeed): void;
  /** Once the store holds the tenant (new, or already there from an earlier process): load what lives in the process. */
  setUp?(tenant: string, created: boolean): Promise<void> | void;
  /** Before the store resets the tenant: drop what the process holds for the old data, so nothing acts on it meanwhile. */
  beforeReset?(tenant: string): void;
  /** Once the store has reset the tenant: load or refill what the process holds for the new data. */
  reset?(tenant: string): Promise<void> | void;
  /** The tenant is gone: drop what the process holds for it. */
  forget?(tenant: string): void;
}

export interface TenancySettings {
  store: Store;
  lock: KeyedLock<string>;
  parts: readonly TenantPart[];
  /** The orders a tenant has when new or reset: the published test data. */
  initialOrders(): OrderRecord[];
  /** Most API keys held at once. */
  maxTenants: number;
  /** How long a key must go unused before it may be forgotten to make room (real ms). */
  idleMs: number;
  realClock: Clock;
  reportUnexpected(error: unknown): void;
}

/**
 * Owns a tenant's lifetime: which API keys are held, their set-up on first use, their reset, and
 * forgetting the key unused for longest to make room for a new one. Each key has two lock keys:
 * its requests hold one shared and its background work (sweeps) the other; set-up takes the first
 * exclusively, forgetting both, so a key is never forgotten under either. A key with a request
 * under way is not chosen to make room; one being swept may be, and is forgotten once the sweep
 * is done. Without a bound, a client sending random keys would grow memory without end.
 */
export class Tenancy {
  /** Keys set up, least recently used first, with when each was last used. */
  private readonly lastUsed = new Map<string, number>();
  /** Keys being set up now, counted against `maxTenants`. */
  private readonly admitting = new Set<string>();

  constructor(private readonly settings: TenancySettings) {}

  /** Held shared by the key's requests, exclusively by its set-up and forgetting. */
  private key(tenant: string): string {
    return `tenant\u0000${tenant}`;
  }

  /** Held shared by the key's background work, exclusively by its forgetting. */
  private backgroundKey(tenant: string): string {
    return `tenant-background\u0000${tenant}`;
  }

  /** How many keys are held or being set up. */
  get size(): number {
    return this.lastUsed.size + this.admitting.size;
  }

  /** The keys held now. */
  held(): string[] {
    return [...this.lastUsed.keys()];
  }

  /** Records a use of `tenant`: undefined when it is ready, else a promise that settles when it is (or refuses with a 503). */
  enter(tenant: string): Promise<void> | undefined {
    const now = this.settings.realClock.now();
    const usedAt = this.lastUsed.get(tenant);
    if (usedAt === undefined) return this.admit(tenant);
    if (now - usedAt >= REFRESH_MS) {
      this.lastUsed.delete(tenant);
      this.lastUsed.set(tenant, now);
    }
    return undefined;
  }

  /**
   * Runs `work` as a request of the tenant: it cannot be forgotten until `work` is done, and while
   * it is under way the tenant is not chosen to make room, however long since its last use.
   */
  use<T>(tenant: string, work: () => T): T | Promise<Awaited<T>> {
    let forgotten = false;
    const held = this.settings.lock.shared(this.key(tenant), () => {
      // Admitted, then forgotten to make room before this hold began: set it up again first.
      forgotten = !this.lastUsed.has(tenant);
      return forgotten ? undefined as T : work();
    });
    const again = (): Promise<Awaited<T>> => Promise.resolve(this.enter(tenant)).then(() => this.use(tenant, work)) as Promise<Awaited<T>>;
    if (!(held instanceof Promise)) return forgotten ? again() : held;
    return held.then((value) => (forgotten ? again() : value));
  }

  /**
   * Runs background work of the tenant (a sweep): it cannot be forgotten until `work` is done, but
   * it may be chosen to make room meanwhile; its forgetting then waits for the work.
   */
  background<T>(tenant: string, work: () => T): T | Promise<Awaited<T>> {
    return this.settings.lock.shared(this.backgroundKey(tenant), work);
  }

  private admit(tenant: string): Promise<void> {
    return this.settings.lock.exclusive(this.key(tenant), async () => {
      if (this.lastUsed.has(tenant)) return;
      // Counted from here to the end of its set-up, so keys set up at once cannot pass the bound together.
      this.admitting.add(tenant);
      try {
        await this.setUp(tenant);
      } finally {
        this.admitting.delete(tenant);
      }
    });
  }

  private async setUp(tenant: string): Promise<void> {
    this.makeRoom();
    const { store, parts } = this.settings;
    const created = await store.ensureTenant(tenant, () => {
      const seed: TenantSeed = { settings: { defaultSecret: '', clockAdvancedMs: 0 }, orders: this.settings.initialOrders(), endpoints: [] };
      for (const part of parts) part.seed?.(tenant, seed);
      return seed;
    });
    for (const part of parts) await part.setUp?.(tenant, created);
    this.lastUsed.set(tenant, this.settings.realClock.now());
  }


  /** The tenant back to its initial data; resets of one key run one at a time. */
  reset(tenant: string): Promise<void> {
    return this.settings.lock.exclusive(`reset\u0000${tenant}`, async () => {
      for (const part of this.settings.parts) part.beforeReset?.(tenant);
      await this.settings.store.resetTenant(tenant, this.settings.initialOrders());
      for (const part of this.settings.parts) await part.reset?.(tenant);
    });
  }

  private makeRoom(): void {
    if (this.size <= this.settings.maxTenants) return;
    const now = this.settings.realClock.now();
    let evictable: string | undefined;
    let oldestUse: number | undefined;
    for (const [tenant, usedAt] of this.lastUsed) {
      oldestUse ??= usedAt;
      if (now - usedAt < this.settings.idleMs) break;
      if (this.settings.lock.isIdle(this.key(tenant))) {
        evictable = tenant;
        break;
      }
    }
    if (evictable === undefined) {
      const idleFor = oldestUse === undefined ? 0 : now - oldestUse;
      throw new Refusal(
        'service_unavailable',
        `This sandbox already holds ${this.settings.maxTenants} API keys, each used in the last ${Math.round(this.settings.idleMs / 1000)} s; `
          + 'retry later, reuse a key, or start it with a larger --max-tenants',
        undefined,
        Math.max(1, Math.ceil((this.settings.idleMs - idleFor) / 1000)),
      );
    }
    this.lastUsed.delete(evictable);
    this.forget(evictable).catch(this.settings.reportUnexpected);
  }

  /** Drops everything a key holds, once nothing uses it; its next request starts it afresh. */
  private forget(tenant: string): Promise<void> {
    const { lock, parts, store } = this.settings;
    return lock.exclusive(this.key(tenant), () => lock.exclusive(this.backgroundKey(tenant), async () => {
      for (const part of parts) part.forget?.(tenant);
      await store.dropTenant(tenant);
    }));
  }
}

import type { Clock } from '../clock.ts';
import { ApiError } from '../errors.ts';

export const DEFAULT_MAX_TENANTS = 10_000;
export const DEFAULT_TENANT_IDLE_MS = 10 * 60_000;
/** A tenant's place in the least-recently-used order is refreshed at most this often, to keep the hot path to one lookup. */
const REFRESH_MS = 1_000;

export interface TenantRegistrySettings {
  /** Most API keys held at once. */
  maxTenants: number;
  /** How long a key must go unused before it may be forgotten to make room (real ms). */
  idleMs: number;
  realClock: Clock;
  /** Gives a new key its initial data. */
  setUp(tenant: string): Promise<void>;
  /** Drops everything a key holds. */
  forget(tenant: string): Promise<void>;
}

/**
 * Which API keys the sandbox holds. A key is set up on its first request; once `maxTenants` are
 * held, a new key makes room by forgetting the one unused for longest, if it has been idle for
 * `idleMs` and has no request under way, and is otherwise refused with a 503. Without a bound,
 * a client sending random keys would grow memory without end.
 */
export class TenantRegistry {
  /** Keys set up, least recently used first, with when each was last used. */
  private readonly lastUsed = new Map<string, number>();
  private readonly settingUp = new Map<string, Promise<void>>();
  private readonly forgetting = new Map<string, Promise<void>>();
  /** Requests still under way per key, which keep it from being forgotten however old its last use. */
  private readonly busy = new Map<string, number>();

  constructor(private readonly settings: TenantRegistrySettings) {}

  /** Records a use of `tenant`: undefined when it is ready, else a promise that settles when it is (or the 503). */
  enter(tenant: string): Promise<void> | undefined {
    const now = this.settings.realClock.now();
    const usedAt = this.lastUsed.get(tenant);
    if (usedAt === undefined) return this.admit(tenant, now);
    if (now - usedAt >= REFRESH_MS) {
      this.lastUsed.delete(tenant);
      this.lastUsed.set(tenant, now);
    }
    return undefined;
  }

  /** Marks a request of `tenant` under way until `answer` settles. */
  track<T>(tenant: string, answer: Promise<T>): Promise<T> {
    this.busy.set(tenant, (this.busy.get(tenant) ?? 0) + 1);
    const done = () => {
      const left = this.busy.get(tenant)! - 1;
      if (left === 0) this.busy.delete(tenant);
      else this.busy.set(tenant, left);
    };
    return answer.finally(done);
  }

  /** How many keys are held or being set up. */
  get size(): number {
    return this.lastUsed.size + this.settingUp.size;
  }

  private admit(tenant: string, now: number): Promise<void> {
    const pending = this.settingUp.get(tenant);
    if (pending !== undefined) return pending;
    if (this.size >= this.settings.maxTenants) this.makeRoom(now);
    const setup = (async () => {
      await this.forgetting.get(tenant);
      await this.settings.setUp(tenant);
      this.lastUsed.set(tenant, this.settings.realClock.now());
    })().finally(() => this.settingUp.delete(tenant));
    this.settingUp.set(tenant, setup);
    return setup;
  }

  private makeRoom(now: number): void {
    let evictable: string | undefined;
    let oldestUse: number | undefined;
    for (const [tenant, usedAt] of this.lastUsed) {
      oldestUse ??= usedAt;
      if (now - usedAt < this.settings.idleMs) break;
      if (!this.busy.has(tenant)) {
        evictable = tenant;
        break;
      }
    }
    if (evictable === undefined) {
      const idleFor = oldestUse === undefined ? 0 : now - oldestUse;
      const retryAfter = Math.max(1, Math.ceil((this.settings.idleMs - idleFor) / 1000));
      throw new ApiError(
        'service_unavailable',
        `This sandbox already holds ${this.settings.maxTenants} API keys, each used in the last ${Math.round(this.settings.idleMs / 1000)} s; `
          + 'retry later, reuse a key, or start it with a larger --max-tenants',
        undefined,
        { 'Retry-After': String(retryAfter) },
      );
    }
    this.lastUsed.delete(evictable);
    const forgetting = this.settings.forget(evictable).finally(() => this.forgetting.delete(evictable));
    this.forgetting.set(evictable, forgetting);
  }
}

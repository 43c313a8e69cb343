/** The only source of time in the domain. Milliseconds since the unix epoch. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Real time that never jumps (ms, fractional, from an arbitrary origin): for measuring how long something took. */
export const monotonicClock: Clock = { now: () => performance.now() };

/** The last instant an RFC 3339 date-time can name with a four-digit year: no sandbox clock goes past it. */
export const LATEST_TIME = Date.parse('9999-12-31T23:59:59Z');

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A clock that moves only when told; for tests and for `--clock virtual`. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export type ClockMode = 'real' | 'virtual';

/**
 * One tenant's sandbox time. Real mode runs with the base clock (times `timeScale`) from the
 * sandbox's start; virtual mode stands still at `start` until advanced. Advances add up in both.
 */
export class TenantClock implements Clock {
  private advancedMs = 0;

  constructor(
    private readonly base: Clock,
    readonly mode: ClockMode,
    readonly timeScale: number,
    private readonly origin: number,
    private readonly start: number,
  ) {}

  now(): number {
    const elapsed = this.mode === 'virtual' ? 0 : (this.base.now() - this.origin) * this.timeScale;
    return Math.floor(this.start + elapsed + this.advancedMs);
  }

  advance(ms: number): void {
    this.advancedMs += ms;
  }

  /** Sets how far advances have moved the clock in all, as the store keeps it; it never moves back. */
  setAdvanced(totalMs: number): void {
    this.advancedMs = Math.max(this.advancedMs, totalMs);
  }
}

export interface ClockSettings {
  mode: ClockMode;
  timeScale: number;
  /** Where sandbox time starts (ms); default: the base clock's now. */
  startAt?: number;
}

/** A clock per tenant, created on first use, so one tenant's advance never moves another's time. */
export class TenantClocks {
  private readonly clocks = new Map<string, TenantClock>();
  private readonly origin: number;
  private readonly start: number;

  constructor(private readonly base: Clock, private readonly settings: ClockSettings) {
    this.origin = base.now();
    this.start = settings.startAt ?? this.origin;
  }

  /** Drops the tenant's clock; its next use starts a new one, as for a key never seen. */
  forget(tenant: string): void {
    this.clocks.delete(tenant);
  }

  for(tenant: string): TenantClock {
    let clock = this.clocks.get(tenant);
    if (clock === undefined) {
      clock = new TenantClock(this.base, this.settings.mode, this.settings.timeScale, this.origin, this.start);
      this.clocks.set(tenant, clock);
    }
    return clock;
  }
}

/** Real-time repetition, for the background sweep; the returned function stops it. */
export function every(intervalMs: number, task: () => void): () => void {
  const timer = setInterval(task, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Real-time wait, for injected latency. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `task` once after `ms` of real time, without keeping the process alive; the returned function cancels it. */
export function realTimer(ms: number, task: () => void): () => void {
  const timer = setTimeout(task, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Resolves on a later turn of the event loop, after the I/O waiting now: long work awaits it to let other requests in. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

type Mode = 'shared' | 'exclusive';

interface Waiter {
  readonly mode: Mode;
  readonly grant: () => void;
}

interface Lane {
  /** Holders now: a count of shared holders, or -1 while an exclusive one holds it. */
  holders: number;
  readonly waiting: Waiter[];
  /** The exclusive run queued by `coalesced` that has not started yet, for later calls to join. */
  joinable?: Promise<void>;
}

/**
 * The one concurrency primitive: work per key runs shared (beside other shared work) or
 * exclusive (alone), in the order it was asked for. Every state change that must not interleave
 * with another goes through it: a record's transitions, a key's set-up and forgetting, an
 * endpoint's deliveries, the background sweep.
 */
export class KeyedLock<Key> {
  private readonly lanes = new Map<Key, Lane>();

  /** Runs `work` alone for `key`, once everything asked for before it has finished. */
  exclusive<T>(key: Key, work: () => T | Promise<T>): Promise<T> {
    return this.acquire(key, 'exclusive').then(() => this.runHeld(key, work));
  }

  /**
   * Runs `work` beside other shared work of `key`, never beside exclusive work. When nothing
   * holds or waits for the key exclusively it starts at once, and a synchronous `work` stays
   * synchronous: the hot path pays no promise.
   */
  shared<T>(key: Key, work: () => T): T | Promise<Awaited<T>> {
    const lane = this.lanes.get(key);
    if (lane === undefined || (lane.holders >= 0 && lane.waiting.length === 0)) {
      this.hold(key, lane);
      let result: T;
      try {
        result = work();
      } catch (error) {
        this.release(key);
        throw error;
      }
      if (!(result instanceof Promise)) {
        this.release(key);
        return result;
      }
      return result.finally(() => this.release(key)) as Promise<Awaited<T>>;
    }
    return this.acquire(key, 'shared').then(() => this.runHeld(key, work)) as Promise<Awaited<T>>;
  }

  /**
   * Exclusive work that may be merged: while a run queued this way has not started, later calls
   * join it instead of queuing another. So "do this again once the current run is over" costs
   * one run however often it is asked for.
   */
  coalesced(key: Key, work: () => Promise<void>): Promise<void> {
    const lane = this.lanes.get(key);
    if (lane?.joinable !== undefined) return lane.joinable;
    const started = this.acquire(key, 'exclusive');
    const run = started.then(() => {
      const current = this.lanes.get(key);
      if (current?.joinable === run) current.joinable = undefined;
      return this.runHeld(key, work);
    });
    // Not yet started when something holds the key; otherwise it starts in this turn.
    const held = this.lanes.get(key)!;
    if (held.waiting.length > 0) held.joinable = run;
    return run;
  }

  /** True when nothing holds or waits for `key`. */
  isIdle(key: Key): boolean {
    return !this.lanes.has(key);
  }

  private async runHeld<T>(key: Key, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.release(key);
    }
  }

  private hold(key: Key, lane: Lane | undefined): void {
    if (lane === undefined) this.lanes.set(key, { holders: 1, waiting: [] });
    else lane.holders++;
  }

  private acquire(key: Key, mode: Mode): Promise<void> {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { holders: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.waiting.length === 0 && (mode === 'shared' ? lane.holders >= 0 : lane.holders === 0)) {
      lane.holders = mode === 'shared' ? lane.holders + 1 : -1;
      return Promise.resolve();
    }
    return new Promise<void>((grant) => lane.waiting.push({ mode, grant }));
  }

  private release(key: Key): void {
    const lane = this.lanes.get(key)!;
    lane.holders = lane.holders === -1 ? 0 : lane.holders - 1;
    while (lane.waiting.length > 0) {
      const next = lane.waiting[0]!;
      if (next.mode === 'exclusive') {
        if (lane.holders !== 0) return;
        lane.waiting.shift();
        lane.holders = -1;
        next.grant();
        return;
      }
      if (lane.holders === -1) return;
      lane.waiting.shift();
      lane.holders++;
      next.grant();
    }
    if (lane.holders === 0) this.lanes.delete(key);
  }
}

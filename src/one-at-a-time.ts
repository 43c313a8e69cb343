const settle = (): void => undefined;

/** Runs work one at a time per key: each starts once the one before it for that key has settled, failed or not. */
export class OneAtATime<Key> {
  /** The latest work per key, as a promise that never rejects. */
  private readonly last = new Map<Key, Promise<void>>();

  /** Settles once everything run for `key` so far has; undefined when nothing is under way. */
  current(key: Key): Promise<void> | undefined {
    return this.last.get(key);
  }

  /** Queues `work` behind the key's earlier work; rejects as `work` does. */
  run(key: Key, work: () => Promise<void>): Promise<void> {
    const run = (this.last.get(key) ?? Promise.resolve()).then(work);
    const settled: Promise<void> = run.then(settle, settle).then(() => {
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    this.last.set(key, settled);
    return run;
  }
}

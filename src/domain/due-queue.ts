export interface DueEntry {
  dueAt: number;
  /** The order or refill whose next change falls due. */
  id: string;
}

/** A min-heap of record ids by due time, so a sweep touches only what is due. */
export class DueQueue {
  private readonly heap: DueEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: DueEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.dueAt <= entry.dueAt) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): DueEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top.dueAt > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.dueAt < heap[left]!.dueAt ? right : left;
        if (heap[child]!.dueAt >= last.dueAt) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

/** One due queue per tenant, made on first use. */
export class TenantDueQueues {
  private readonly queues = new Map<string, DueQueue>();

  push(tenant: string, entry: DueEntry): void {
    let queue = this.queues.get(tenant);
    if (queue === undefined) {
      queue = new DueQueue();
      this.queues.set(tenant, queue);
    }
    queue.push(entry);
  }

  popDue(tenant: string, now: number): DueEntry | undefined {
    return this.queues.get(tenant)?.popDue(now);
  }

  /**
   * Runs `work` for every tenant with a queue, one after another. A tenant whose work fails does
   * not hold the others back; the failures are thrown together at the end.
   */
  async forEachTenant(work: (tenant: string) => Promise<unknown>): Promise<void> {
    const failures: unknown[] = [];
    for (const tenant of this.queues.keys()) {
      try {
        await work(tenant);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} tenants' due changes failed`);
  }

  drop(tenant: string): void {
    this.queues.delete(tenant);
  }
}

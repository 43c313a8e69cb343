import { MinHeap } from '../min-heap.ts';

export interface DueEntry {
  dueAt: number;
  /** The order or refill whose next change falls due. */
  id: string;
}

/** Record ids by due time, so a sweep touches only what is due. */
export class DueQueue {
  private readonly heap = new MinHeap<DueEntry>((a, b) => a.dueAt < b.dueAt);

  get size(): number {
    return this.heap.size;
  }

  push(entry: DueEntry): void {
    this.heap.push(entry);
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): DueEntry | undefined {
    const top = this.heap.peek();
    return top === undefined || top.dueAt > now ? undefined : this.heap.pop();
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

  /** The tenants with a queue. */
  tenants(): IterableIterator<string> {
    return this.queues.keys();
  }

  has(tenant: string): boolean {
    return this.queues.has(tenant);
  }

  drop(tenant: string): void {
    this.queues.delete(tenant);
  }
}

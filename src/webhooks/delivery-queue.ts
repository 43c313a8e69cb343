import { MinHeap } from '../min-heap.ts';

/** An event waiting for an endpoint. */
export interface Queued<Item> {
  readonly item: Item;
  attempts: number;
  /** Sandbox time it may next be attempted. */
  dueAt: number;
  /** Its place in the order events were queued. */
  readonly seq: number;
}

/** An event taken out to be attempted. */
export interface Due<Item> {
  readonly queued: Queued<Item>;
  readonly subject: string;
  /** Sandbox time it fell due: its own due time, or when its subject's previous event was done if later. */
  readonly readyAt: number;
}

/** One subject's events, oldest first. */
interface Line<Item> {
  readonly subject: string;
  readonly events: Array<Queued<Item>>;
  /** When its latest event was delivered or dead-lettered: the next goes no earlier. */
  doneAt: number;
  /** When its first event may go, and that event's place: the order lines come out in. */
  readyAt: number;
  seq: number;
}

/**
 * One endpoint's undelivered events. The events of one subject (an order or refill) go one at a
 * time, in the order they were queued; subjects never wait for each other. Events come out by the
 * time they fall due, then in the order they were queued.
 */
export class DeliveryQueue<Item> {
  private readonly lines = new Map<string, Line<Item>>();
  /** Lines whose first event is waiting to go, not out. */
  private readonly ready = new MinHeap<Line<Item>>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq));
  private nextSeq = 0;
  private count = 0;

  /** Events queued and not yet done (out ones included). */
  get size(): number {
    return this.count;
  }

  add(subject: string, item: Item, dueAt: number): void {
    const queued: Queued<Item> = { item, attempts: 0, dueAt, seq: this.nextSeq++ };
    this.count++;
    const line = this.lines.get(subject);
    if (line !== undefined) {
      line.events.push(queued);
      return;
    }
    const fresh: Line<Item> = { subject, events: [queued], doneAt: -Infinity, readyAt: dueAt, seq: queued.seq };
    this.lines.set(subject, fresh);
    this.ready.push(fresh);
  }

  /** Takes out up to `max` events due at `now`, each the first of its subject; each is out until settled. */
  takeDue(now: number, max: number): Array<Due<Item>> {
    const due: Array<Due<Item>> = [];
    while (due.length < max) {
      const line = this.ready.peek();
      if (line === undefined || line.readyAt > now) break;
      this.ready.pop();
      due.push({ queued: line.events[0]!, subject: line.subject, readyAt: line.readyAt });
    }
    return due;
  }

  /**
   * Settles an event taken out: done (delivered or dead-lettered) at `doneAt`, so its subject's
   * next event goes no earlier; or due again at `retryAt`, ahead of its subject's later events.
   */
  settle(due: Due<Item>, outcome: { doneAt: number } | { retryAt: number }): void {
    const line = this.lines.get(due.subject);
    if (line === undefined || line.events[0] !== due.queued) throw new Error(`settled an event that was not out (${due.subject})`);
    if ('retryAt' in outcome) {
      due.queued.dueAt = outcome.retryAt;
    } else {
      line.events.shift();
      this.count--;
      line.doneAt = outcome.doneAt;
    }
    const next = line.events[0];
    if (next === undefined) {
      // Its done time goes with it. Nothing is lost in the sandbox: an advance publishes every
      // change it passes before sending any, and a running clock records attempts when made.
      this.lines.delete(due.subject);
      return;
    }
    line.readyAt = Math.max(next.dueAt, line.doneAt);
    line.seq = next.seq;
    this.ready.push(line);
  }
}

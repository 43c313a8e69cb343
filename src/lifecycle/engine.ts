import { isoTime, nextTurn, type Clock } from '../clock.ts';
import type { KeyedLock } from '../concurrency/keyed-lock.ts';
import type { LifecycleRecord, StatusChange } from '../domain/records.ts';
import { notFound, Refusal } from '../domain/refusal.ts';
import type { WebhookEventType } from '../api-types.ts';
import type { IdGenerator } from '../ids.ts';
import { TenantDueQueues } from './due-queue.ts';
import { automaticStep, stepBetween, type LifecycleTable } from './table.ts';

/** A change a record is to go through: to `status`, falling due at `dueAt` (tenant ms), for `reason`. */
export interface Step<Status extends string> {
  status: Status;
  dueAt: number;
  reason: string;
}

/** How the engine reads, writes and names one kind of record. */
export interface RecordKind<R extends LifecycleRecord<S, O>, S extends string, O extends string, T, Resource extends { id: string; status: S }> {
  table: LifecycleTable<S, T, O, Resource>;
  resource(record: R): Resource;
  /** The record with its resource replaced. */
  withResource(record: R, resource: Resource, history: StatusChange<S>[]): R;
  load(tenant: string, id: string): Promise<R | undefined>;
  /** Compare-and-set: writes when the stored version is `expectedVersion`. */
  save(tenant: string, record: R, expectedVersion: number): Promise<boolean>;
}

export interface EngineDeps<T> {
  timeline: T;
  lock: KeyedLock<string>;
  clockFor(tenant: string): Clock;
  idsFor(tenant: string): IdGenerator;
  /** Told of each change once it is stored, in the order they happen, with the event the table gives it and the resource as that change left it. */
  onChange(tenant: string, change: StatusChange<string>, event: WebhookEventType | undefined, resource: { id: string; status: string } & object): void;
  /** Told of a failure to announce a change: the change is stored, so the caller still gets it. */
  reportUnexpected(error: unknown): void;
}

/** Plans the steps a mutation takes from the record as it is now (read under the record's lock). */
export type Plan<R, S extends string> = (record: R, now: number) => Array<Step<S>>;

/** The next step a record in `status` takes on its own, and when it falls due on `timeline`; undefined when none will come. */
export function nextAutomaticStep<S extends string, T, O extends string, Resource>(
  table: LifecycleTable<S, T, O, Resource>, record: LifecycleRecord<S, O>, status: S, timeline: T,
): Step<S> | undefined {
  if (record.frozen) return undefined;
  const row = automaticStep(table, status, record.outcome);
  if (row === undefined) return undefined;
  return { status: row.to, dueAt: Date.parse(record.history.at(-1)!.at) + row.after!(timeline), reason: row.reason };
}

/** A change applied, and the resource as it left it (what that change's event tells). */
interface Applied<S extends string, Resource> {
  change: StatusChange<S>;
  resource: Resource;
}

/** Due changes a sweep applies between two turns of the event loop given to other requests. */
const SWEEP_SLICE = 256;

/** Writes lost to another writer are retried from a fresh read this often before giving up. */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * The one lifecycle engine, for any kind of record whose course is a step table. Every change of
 * one record runs under that record's exclusive lock and is stored with a compare-and-set, so
 * however reads, sweeps, advances, cancels and resets interleave, each step is applied once: one
 * tracking number, one event, a history without repeats.
 */
export class LifecycleEngine<R extends LifecycleRecord<S, O>, S extends string, O extends string, T, Resource extends { id: string; status: S }> {
  /** When each record's next automatic step falls due, per tenant: what the sweep walks. */
  readonly due = new TenantDueQueues();

  constructor(private readonly kind: RecordKind<R, S, O, T, Resource>, private readonly deps: EngineDeps<T>) {}

  get noun(): string {
    return this.kind.table.noun;
  }

  private notFound(id: string) {
    return notFound(this.noun, `${this.noun}Id`, id);
  }

  /** The record's next automatic step and when it falls due, or undefined when none will come. */
  nextStep(record: R): Step<S> | undefined {
    return nextAutomaticStep(this.kind.table, record, this.kind.resource(record).status, this.deps.timeline);
  }

  /** Every automatic step due by `now`, in order, from the record as it is. */
  dueSteps(record: R, now: number): Array<Step<S>> {
    const steps: Array<Step<S>> = [];
    let status = this.kind.resource(record).status;
    let since = Date.parse(record.history.at(-1)!.at);
    if (record.frozen) return steps;
    for (let row = automaticStep(this.kind.table, status, record.outcome); row !== undefined; row = automaticStep(this.kind.table, status, record.outcome)) {
      const dueAt = since + row.after!(this.deps.timeline);
      if (dueAt > now) break;
      steps.push({ status: row.to, dueAt, reason: row.reason });
      status = row.to;
      since = dueAt;
    }
    return steps;
  }

  private lockKey(tenant: string, id: string): string {
    return `${this.noun}\u0000${tenant}\u0000${id}`;
  }

  /** Stores a new record (its creation in its history) and publishes its creation. */
  async create(tenant: string, record: R, publish = true): Promise<R> {
    const stored = { ...record, version: 1 };
    if (!await this.kind.save(tenant, stored, 0)) throw new Error(`${this.noun} ${this.kind.resource(record).id} already exists`);
    this.schedule(tenant, stored);
    const created = stored.history[0]!;
    if (publish) this.announce(tenant, created, this.kind.resource(stored));
    return stored;
  }

  /** The record as the tenant's clock says it is now, applying what has fallen due. */
  async read(tenant: string, id: string): Promise<R> {
    const record = await this.kind.load(tenant, id);
    if (record === undefined) throw this.notFound(id);
    const now = this.deps.clockFor(tenant).now();
    const next = this.nextStep(record);
    if (next === undefined || next.dueAt > now) return record;
    return this.mutate(tenant, id, NOTHING_MORE);
  }

  /**
   * Applies the steps `plan` makes of the record as it is, under its lock; what has fallen due is
   * applied first. A step the table does not have is a bug and throws.
   */
  mutate(tenant: string, id: string, plan: Plan<R, S>, dueBy?: number): Promise<R> {
    return this.deps.lock.exclusive(this.lockKey(tenant, id), () => this.mutateHeld(tenant, id, plan, dueBy));
  }

  private async mutateHeld(tenant: string, id: string, plan: Plan<R, S>, dueBy: number | undefined): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.kind.load(tenant, id);
      if (record === undefined) throw this.notFound(id);
      const now = this.deps.clockFor(tenant).now();
      const caughtUp = this.applied(tenant, record, this.dueSteps(record, Math.min(now, dueBy ?? now)));
      const planned = this.applied(tenant, caughtUp.record, plan(caughtUp.record, now));
      const changes = [...caughtUp.changes, ...planned.changes];
      if (changes.length === 0) return record;
      const next = { ...planned.record, version: record.version + 1 };
      if (await this.kind.save(tenant, next, record.version)) {
        this.schedule(tenant, next);
        for (const { change, resource } of changes) this.announce(tenant, change, resource);
        return next;
      }
      if (attempt === MAX_WRITE_ATTEMPTS) throw new Error(`${this.noun} ${id} kept changing under ${MAX_WRITE_ATTEMPTS} attempts to move it`);
    }
  }

  /** The record after `steps`, each checked against the table, with its effects. */
  /** The record after `steps`, each checked against the table, with its effects; and each change with the resource as that change left it. */
  private applied(tenant: string, record: R, steps: Array<Step<S>>): { record: R; changes: Array<Applied<S, Resource>> } {
    let resource = this.kind.resource(record);
    const changes: Array<Applied<S, Resource>> = [];
    for (const step of steps) {
      if (stepBetween(this.kind.table, resource.status, step.status) === undefined) {
        throw new Error(`the ${this.noun} lifecycle has no step ${resource.status} → ${step.status}`);
      }
      const effect = this.kind.table.effects?.[step.status];
      resource = { ...resource, status: step.status, ...effect?.(resource, step.dueAt, this.deps.idsFor(tenant)) };
      changes.push({ change: { status: step.status, at: isoTime(step.dueAt), reason: step.reason }, resource });
    }
    if (changes.length === 0) return { record, changes };
    return { record: this.kind.withResource(record, resource, [...record.history, ...changes.map(({ change }) => change)]), changes };
  }

  /**
   * Tells of a stored change. A failure here must not fail the request that made it: the change
   * is committed, and an error would release its idempotency key, so a retry would make it again.
   */
  private announce(tenant: string, change: StatusChange<S>, resource: Resource): void {
    try {
      this.deps.onChange(tenant, change, this.kind.table.events[change.status], resource);
    } catch (error) {
      this.deps.reportUnexpected(error);
    }
  }

  private schedule(tenant: string, record: R): void {
    const step = this.nextStep(record);
    if (step !== undefined) this.due.push(tenant, { dueAt: step.dueAt, id: this.kind.resource(record).id });
  }


  /**
   * Applies, in due order across the tenant's records, every step due on its clock: each entry
   * moves its record only as far as the entry's time, so changes of different records interleave
   * as they fell due. A record reset away meanwhile is skipped; an entry a read already served
   * finds nothing to do.
   */
  async sweep(tenant: string): Promise<void> {
    // Nothing scheduled (or a forgotten key): asking for its clock would make the key a new one.
    if (!this.due.has(tenant)) return;
    const now = this.deps.clockFor(tenant).now();
    let applied = 0;
    for (let entry = this.due.popDue(tenant, now); entry !== undefined; entry = this.due.popDue(tenant, now)) {
      // A long catch-up (a 5-day advance over many orders) lets other keys' requests in as it goes.
      if (++applied % SWEEP_SLICE === 0) await nextTurn();
      try {
        await this.mutate(tenant, entry.id, NOTHING_MORE, entry.dueAt);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
      }
    }
  }
}

const NOTHING_MORE = (): never[] => [];

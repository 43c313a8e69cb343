import type { WebhookEventType } from '../api-types.ts';

/**
 * One row of a lifecycle: the record may move from `from` to `to`. With `after`, it moves on its
 * own once that long has passed since its last change; without, only when asked (a cancel).
 */
export interface StepRow<Status extends string, Timeline, Outcome extends string> {
  from: Status;
  to: Status;
  /** How long after the last change the step falls due; absent for a step taken only on request. */
  after?: (timeline: Timeline) => number;
  reason: string;
  /** Taken on its own only by records with this outcome (a magic value's course). */
  only?: Outcome;
  /** Not taken on its own by records with these outcomes. */
  unless?: readonly Outcome[];
}

/** A kind of record's whole lifecycle, as data: every status rule is read from here. */
export interface LifecycleTable<Status extends string, Timeline, Outcome extends string, Resource> {
  /** The record's name in messages and `details.field`: `order` → `orderId`. */
  noun: 'order' | 'refill';
  created: { status: Status; reason: string };
  steps: ReadonlyArray<StepRow<Status, Timeline, Outcome>>;
  /** The webhook event each status publishes when the record enters it. */
  events: Partial<Record<Status, WebhookEventType>>;
  /** What entering a status sets on the resource besides its status. */
  effects?: Partial<Record<Status, (resource: Resource, at: number, draw: EffectDraws) => Partial<Resource>>>;
}

/** The randomness an effect may draw on: the key's own id stream. */
export interface EffectDraws {
  int(bound: number): number;
  digits(length: number): string;
}

/** The automatic step a record in `status` with `outcome` takes next, if any. */
export function automaticStep<S extends string, T, O extends string, R>(
  table: LifecycleTable<S, T, O, R>, status: S, outcome: O | undefined,
): StepRow<S, T, O> | undefined {
  return table.steps.find((row) => row.from === status && row.after !== undefined
    && (row.only === undefined ? !(outcome !== undefined && row.unless?.includes(outcome)) : row.only === outcome));
}

/** The course a record takes on its own when nothing unusual happens: created status, then each default step. */
export function mainPath<S extends string, T, O extends string, R>(table: LifecycleTable<S, T, O, R>): S[] {
  const path = [table.created.status];
  for (let step = automaticStep(table, path[0]!, undefined); step !== undefined && !path.includes(step.to); step = automaticStep(table, step.to, undefined)) {
    path.push(step.to);
  }
  return path;
}

/** The row for moving from `from` to `to`, automatic or on request; undefined when the table has none. */
export function stepBetween<S extends string, T, O extends string, R>(
  table: LifecycleTable<S, T, O, R>, from: S, to: S,
): StepRow<S, T, O> | undefined {
  return table.steps.find((row) => row.from === from && row.to === to);
}

/** The statuses from which a step to `to` may be asked for (not only taken on its own). */
export function statusesAllowingRequest<S extends string, T, O extends string, R>(table: LifecycleTable<S, T, O, R>, to: S): S[] {
  return table.steps.filter((row) => row.to === to && row.after === undefined).map((row) => row.from);
}

/** The status whose entry publishes `event`, read backwards from the table. */
export function statusOfEvent<S extends string, T, O extends string, R>(table: LifecycleTable<S, T, O, R>, event: WebhookEventType): S | undefined {
  return (Object.entries(table.events) as Array<[S, WebhookEventType]>).find(([, type]) => type === event)?.[0];
}

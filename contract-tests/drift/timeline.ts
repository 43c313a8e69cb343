/*
 * Timestamps differ between a recording and its replay: they are compared by their spacing on
 * each side's own clock. The reference is the first pair of timestamps (recorded, target) at the
 * same place that differ (equal pairs, such as published test data, need nothing more); every
 * later timestamp must lie as far from the target's reference as the recorded one lay from the
 * recorded reference, within TIMESTAMP_TOLERANCE_MS plus however much faster or slower the replay
 * reached that exchange than the recording did (so a wall clock and a virtual one both replay).
 * Dates (`2025-01-20`) get a day more. Within one answer, timestamps keep their order too (orderProblem).
 */

export const TIMESTAMP_TOLERANCE_MS = 2_000;
const DAY_MS = 86_400_000;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function timestampKind(text: string): 'date-time' | 'date' | undefined {
  if (DATE_TIME.test(text) && !Number.isNaN(Date.parse(text))) return 'date-time';
  if (DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return 'date';
  return undefined;
}

const instant = (text: string) => Date.parse(timestampKind(text) === 'date' ? `${text}T00:00:00Z` : text);

/** When an exchange was sent: the recording's `startedAt` and the replay's own, both in ms. */
export interface Moment {
  recorded: number;
  replayed: number;
}

export interface Mismatch {
  expected: string;
  got: string;
}

interface Pair {
  recorded: number;
  got: number;
  at: Moment;
}

const seconds = (ms: number) => `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;

export class Timeline {
  private reference: Pair | undefined;

  /** What the target's timestamp should have been and what it was; undefined when it is where the recorded one says. */
  compare(recordedText: string, gotText: string, at: Moment): Mismatch | undefined {
    const kind = timestampKind(recordedText);
    if (kind === undefined) throw new Error(`not a timestamp: ${recordedText}`);
    if (timestampKind(gotText) !== kind) return { expected: `a ${kind} (RFC 3339)`, got: JSON.stringify(gotText) };
    if (recordedText === gotText) return undefined;
    const pair = { recorded: instant(recordedText), got: instant(gotText), at };
    const reference = this.reference;
    if (reference === undefined) {
      this.reference = pair;
      return undefined;
    }
    const recordedSpacing = pair.recorded - reference.recorded;
    const gotSpacing = pair.got - reference.got;
    const pace = Math.abs((at.recorded - reference.at.recorded) - (at.replayed - reference.at.replayed));
    const slack = TIMESTAMP_TOLERANCE_MS + pace + (kind === 'date' ? DAY_MS : 0);
    if (Math.abs(gotSpacing - recordedSpacing) <= slack) return undefined;
    return {
      expected: `${seconds(recordedSpacing)} from the reference timestamp, within ${seconds(slack)} (recorded ${recordedText})`,
      got: `${seconds(gotSpacing)} from the target's reference (${gotText})`,
    };
  }
}

/**
 * Timestamps within one answer keep their order: where the recorded ones lay more than the
 * tolerance apart, the target's lie the same way round. (Closer ones may fall either side of a
 * second on another clock.)
 */
export function orderProblem(recorded: [current: string, previous: string], got: [current: string, previous: string]): Mismatch | undefined {
  const apart = instant(recorded[0]) - instant(recorded[1]);
  if (Math.abs(apart) <= TIMESTAMP_TOLERANCE_MS) return undefined;
  const after = instant(got[0]) > instant(got[1]);
  if (after === apart > 0) return undefined;
  return {
    expected: `${apart > 0 ? 'after' : 'before'} the answer's previous timestamp, as recorded (${recorded[1]} then ${recorded[0]})`,
    got: `${got[1]} then ${got[0]}`,
  };
}

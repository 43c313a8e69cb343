import { ContractViolation, TargetUnreachable } from './exchange.ts';
import { seedOf } from './property.ts';
import { ReceiverUnavailable } from './receiver.ts';
import type { Outcome } from './run.ts';

const INDENT = '      ';

/** A failure as shown: a departure, an unreachable target or a setting the kit cannot work with by its message; anything else, such as a defect of the kit, with its stack. */
export function failureText(error: Error): string {
  return error instanceof ContractViolation || error instanceof TargetUnreachable || error instanceof ReceiverUnavailable ? error.message : error.stack ?? `${error.name}: ${error.message}`;
}

/**
 * One check's line as it finishes: `pass  name`; `FAIL  name` followed by the reason and its
 * reproduction, indented (and for a property check, the command that draws the same cases);
 * `skip  name: reason`. `rerun` is the command line that reaches the same target.
 */
export function describeOutcome(outcome: Outcome, rerun: string): string {
  if (outcome.status === 'passed') return `pass  ${outcome.checkName}`;
  if (outcome.status === 'skipped') return `skip  ${outcome.checkName}: ${outcome.reason}`;
  const seed = seedOf(outcome.error);
  const lines = [
    ...failureText(outcome.error).split('\n'),
    ...(seed === undefined ? [] : [`rerun: ${rerun} --only ${outcome.checkName} --seed ${seed}`]),
  ];
  return [`FAIL  ${outcome.checkName}`, ...lines.map((line) => `${INDENT}${line}`)].join('\n');
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countOutcomes(outcomes: readonly Outcome[]): Counts {
  const count = (status: Outcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

export const describeCounts = ({ passed, failed, skipped }: Counts) => `${passed} passed, ${failed} failed, ${skipped} skipped`;

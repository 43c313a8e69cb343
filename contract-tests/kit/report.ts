import { shellQuote } from './curl.ts';
import { ContractViolation, TargetUnreachable } from './exchange.ts';
import type { ContractSettings } from './options.ts';
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
    // A target that stopped answering is the thing to fix first; the same cases would not get further.
    ...(seed === undefined || outcome.error instanceof TargetUnreachable ? [] : [`rerun: ${rerun} --only ${outcome.checkName} --seed ${seed}`]),
  ];
  return [`FAIL  ${outcome.checkName}`, ...lines.map((line) => `${INDENT}${line}`)].join('\n');
}

/**
 * The command that runs against the same target with the same settings, for a shell: `command`
 * (default `nimbus-sandbox contract --base-url URL`) then the settings given. The key is never
 * printed: `$NIMBUS_API_KEY` stands for it.
 */
export function rerunCommand(settings: ContractSettings, command?: string): string {
  const words = [command ?? `nimbus-sandbox contract${settings.baseUrl === undefined ? '' : ` --base-url ${shellQuote(settings.baseUrl)}`}`];
  if (settings.apiKey !== undefined) words.push('--api-key "$NIMBUS_API_KEY"');
  if (settings.lifecycleTimeoutMs !== undefined) words.push(`--lifecycle-timeout ${settings.lifecycleTimeoutMs}`);
  if (settings.receiverHost !== undefined) words.push(`--receiver-host ${shellQuote(settings.receiverHost)}`);
  if (settings.requestTimeoutMs !== undefined) words.push(`--request-timeout ${settings.requestTimeoutMs}`);
  return words.join(' ');
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

import { performance } from 'node:perf_hooks';
import { allChecks } from './checks/index.ts';
import { admit } from './kit/admission.ts';
import { describeCapabilities } from './kit/capabilities.ts';
import { TargetUnreachable } from './kit/exchange.ts';
import { junitXml, writeJUnit } from './kit/junit.ts';
import { ContractOptionError, validateContractSettings, type ContractSettings } from './kit/options.ts';
import { printable } from './kit/printable.ts';
import { countOutcomes, describeCounts, describeOutcome, rerunCommand, type Counts } from './kit/report.ts';
import { runCheck, selectChecks, type Outcome } from './kit/run.ts';
import { networkTarget, type Target } from './kit/target.ts';

/**
 * `runContract`: the contract kit as a function, what `nimbus-sandbox contract` runs. It checks
 * any implementation of the Nimbus OS API by base URL (or by fetch) and says, check by check,
 * where it departs from the contract.
 */

export { ContractOptionError, type ContractSettings } from './kit/options.ts';
export type { Outcome } from './kit/run.ts';
export type { FetchFn, Target } from './kit/target.ts';
export type { Counts } from './kit/report.ts';
export { UsageError } from './kit/option-table.ts';
export { startRecorder, type Recorder, type RecorderOptions } from './drift/record.ts';
export { checkReceiver, type CheckReceiverOptions, type CheckReceiverResult } from './drift/check-receiver.ts';
export {
  replay, type ExchangeOutcome, type FoundDifference, type ReplayCounts, type ReplayOptions, type ReplayOutput, type ReplayResult,
} from './drift/replay.ts';
export { ReplayOptionError, type ReplaySettings } from './drift/replay-options.ts';
export type { Difference } from './drift/compare.ts';
export type { AllowEntry } from './drift/allow-list.ts';

/** Where a run's lines go; `console` will do. */
export interface ContractOutput {
  /** Each check's line as it finishes, the target's capabilities, the summary. */
  log(line: string): void;
  /** Why the run stopped early: the target cannot be reached or refuses the key. */
  error(line: string): void;
}

export interface ContractOptions extends ContractSettings {
  /** Instead of `baseUrl`: the target itself, such as an in-process server's `fetch`. */
  target?: Target;
  /** Default: console. */
  output?: ContractOutput;
  /**
   * The command that reaches this target, for the rerun line of a failed property check; the
   * run's settings (`--api-key "$NIMBUS_API_KEY"`, `--lifecycle-timeout`, …) follow it.
   * Default: `nimbus-sandbox contract --base-url URL`.
   */
  rerunCommand?: string;
}

export interface ContractResult extends Counts {
  /** One a check run, in order. */
  outcomes: Outcome[];
  /** Why the run exits 2: the target could not be reached or refused the key (the checks stopped), or the JUnit file could not be written. */
  problem?: string;
  /** What `nimbus-sandbox contract` exits with: 0 nothing failed, 1 a check failed, 2 `problem`. */
  exitCode: 0 | 1 | 2;
}

const RUN_OPTIONS = ['target', 'output', 'rerunCommand'];

function targetOf(options: ContractOptions): Target {
  if ((options.baseUrl === undefined) === (options.target === undefined)) {
    throw new ContractOptionError('runContract needs the implementation to check: baseUrl (such as http://127.0.0.1:4010) or target, one of them');
  }
  const settings: Partial<Target> = {
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.lifecycleTimeoutMs === undefined ? {} : { lifecycleTimeoutMs: options.lifecycleTimeoutMs }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.receiverHost === undefined ? {} : { receiverHost: options.receiverHost }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  };
  return { ...(options.target ?? networkTarget(options.baseUrl!)), ...settings };
}

/**
 * Checks the target: first that it can be reached and takes the key (else it stops at once with
 * one message and exit code 2), then every check (or those `only` picks), one line each as it
 * finishes, then `N passed, N failed, N skipped`. Throws a ContractOptionError for a bad option.
 */
export async function runContract(options: ContractOptions): Promise<ContractResult> {
  validateContractSettings(options as Record<string, unknown>, RUN_OPTIONS);
  const target = targetOf(options);
  const checks = selectChecks(allChecks, options.only);
  const sink = options.output ?? console;
  // Lines carry what the target said (bodies, error codes, evidence): printed only once made safe.
  const output: ContractOutput = { log: (line) => sink.log(printable(line)), error: (line) => sink.error(printable(line)) };
  const rerun = rerunCommand(options, options.rerunCommand);
  const timestamp = new Date();
  const started = performance.now();

  const outcomes: Outcome[] = [];
  let problem: string | undefined;
  const admission = await admit(target);
  if (!admission.admitted) {
    problem = admission.problem;
  } else {
    output.log(`Contract target ${target.baseUrl}; it offers:\n${describeCapabilities(admission.capabilities)}`);
    for (const check of checks) {
      const outcome = await runCheck(check, target);
      outcomes.push(outcome);
      output.log(describeOutcome(outcome, rerun));
      if (outcome.status === 'failed' && outcome.error instanceof TargetUnreachable) {
        problem = `the target ${target.baseUrl} stopped answering during ${outcome.checkName}; the ${checks.length - outcomes.length} checks after it were not run`;
        break;
      }
    }
  }
  const counts = countOutcomes(outcomes);
  if (admission.admitted) output.log(describeCounts(counts));
  if (problem !== undefined) output.error(problem);
  if (options.junitFile !== undefined) {
    const xml = junitXml({ suite: `nimbus-sandbox contract ${target.baseUrl}`, outcomes, ...(problem === undefined ? {} : { stopped: problem }), timestamp, durationMs: performance.now() - started });
    const unwritten = writeJUnit(options.junitFile, xml);
    if (unwritten !== undefined) {
      output.error(unwritten);
      problem ??= unwritten;
    }
  }
  const exitCode = problem !== undefined ? 2 : counts.failed > 0 ? 1 : 0;
  return { outcomes, ...counts, ...(problem === undefined ? {} : { problem }), exitCode };
}

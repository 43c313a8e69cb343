import fc from 'fast-check';
import { ContractViolation } from './exchange.ts';
import type { Target } from './target.ts';

const seeds = new WeakMap<Error, number>();

/** The fast-check seed of a property check's failure, which `--seed` takes to run the same cases again. */
export function seedOf(error: Error): number | undefined {
  return seeds.get(error);
}

/**
 * Runs a property-based check with the target's seed (`--seed`), or a fresh one. Every run costs
 * requests (and rate limit), so it stops at the first failure without shrinking, and reports that
 * failure as the kit's own, curl lines and all, with the seed that draws the same cases again.
 */
export async function checkProperty<Ts>(target: Target, property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { numRuns, endOnFailure: true, ...(target.seed === undefined ? {} : { seed: target.seed }) });
  if (!details.failed) return;
  const where = `fast-check seed ${details.seed}, run ${details.numRuns} of ${numRuns}`;
  const cause = details.errorInstance;
  const error = cause instanceof ContractViolation ? new ContractViolation(`${cause.rule} (${where})`, cause.exchanges)
    : cause instanceof Error ? cause
      : new Error(`The property could not be checked (${where}):\n${fc.defaultReportMessage(details)}`);
  seeds.set(error, details.seed);
  throw error;
}

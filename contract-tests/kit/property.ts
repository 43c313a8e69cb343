import fc from 'fast-check';
import { ContractViolation } from './exchange.ts';

/**
 * Runs a property-based check. Every run costs requests (and rate limit), so it stops at the
 * first failure without shrinking, and reports that failure as the kit's own, curl lines and
 * all, with the fast-check seed.
 */
export async function checkProperty<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { numRuns, endOnFailure: true });
  if (!details.failed) return;
  const where = `fast-check seed ${details.seed}, run ${details.numRuns} of ${numRuns}`;
  const error = details.errorInstance;
  if (error instanceof ContractViolation) throw new ContractViolation(`${error.rule} (${where})`, error.exchanges);
  if (error instanceof Error) throw error;
  throw new Error(`The property could not be checked (${where}):\n${fc.defaultReportMessage(details)}`);
}

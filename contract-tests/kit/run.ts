import type { Check } from './check.ts';
import { CheckSkipped } from './exchange.ts';
import type { Target } from './target.ts';

export type Outcome =
  | { checkName: string; status: 'passed' }
  | { checkName: string; status: 'failed'; error: Error }
  | { checkName: string; status: 'skipped'; reason: string };

export async function runCheck(check: Check, target: Target): Promise<Outcome> {
  try {
    await check(target);
    return { checkName: check.checkName, status: 'passed' };
  } catch (error) {
    if (error instanceof CheckSkipped) return { checkName: check.checkName, status: 'skipped', reason: error.reason };
    return { checkName: check.checkName, status: 'failed', error: error as Error };
  }
}

/** Runs checks one after another, as `npm run contract` does, and reports each outcome. */
export async function runChecks(checks: readonly Check[], target: Target): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const check of checks) outcomes.push(await runCheck(check, target));
  return outcomes;
}

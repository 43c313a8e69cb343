import { performance } from 'node:perf_hooks';
import type { Check } from './check.ts';
import { CheckSkipped } from './exchange.ts';
import { ContractOptionError } from './options.ts';
import type { Target } from './target.ts';

export type Outcome = { checkName: string; durationMs: number } & (
  | { status: 'passed' }
  | { status: 'failed'; error: Error }
  | { status: 'skipped'; reason: string }
);

export async function runCheck(check: Check, target: Target): Promise<Outcome> {
  const started = performance.now();
  const took = () => performance.now() - started;
  try {
    await check(target);
    return { checkName: check.checkName, status: 'passed', durationMs: took() };
  } catch (error) {
    if (error instanceof CheckSkipped) return { checkName: check.checkName, status: 'skipped', reason: error.reason, durationMs: took() };
    return { checkName: check.checkName, status: 'failed', error: error instanceof Error ? error : new Error(String(error)), durationMs: took() };
  }
}

/** Runs checks one after another and reports each outcome. */
export async function runChecks(checks: readonly Check[], target: Target): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const check of checks) outcomes.push(await runCheck(check, target));
  return outcomes;
}

/**
 * The checks `--only` picks: those whose name contains one of the comma-separated patterns, `*`
 * matching any run of characters. A pattern that picks none is a usage error.
 */
export function selectChecks(checks: readonly Check[], only: string | undefined): Check[] {
  if (only === undefined) return [...checks];
  const patterns = only.split(',').map((pattern) => pattern.trim()).filter((pattern) => pattern !== '')
    .map((pattern) => new RegExp(pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')));
  const picked = checks.filter((check) => patterns.some((pattern) => pattern.test(check.checkName)));
  if (picked.length === 0) {
    const areas = [...new Set(checks.map((check) => `${check.checkName.split('/')[0]}/`))].join(', ');
    throw new ContractOptionError(`no check matches --only ${JSON.stringify(only)}; the checks' names start with ${areas}`);
  }
  return picked;
}

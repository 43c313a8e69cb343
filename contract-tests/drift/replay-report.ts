import { ContractViolation, reproduce } from '../kit/exchange.ts';
import { junitXml, writeJUnit } from '../kit/junit.ts';
import type { Outcome } from '../kit/run.ts';
import type { ExchangeOutcome, ReplayCounts } from './replay.ts';

const INDENT = '      ';
/** A wholly different answer has many differences; the first ones say enough. */
const SHOWN_DIFFERENCES = 12;

const request = (outcome: ExchangeOutcome) => `#${outcome.position} ${outcome.method} ${outcome.path}`;
const title = (outcome: ExchangeOutcome) => `${request(outcome)}${outcome.operation.includes(' ') ? '' : ` (${outcome.operation})`}`;

/** An exchange's differences and the curl line that sends the target's request again. */
function differenceLines(outcome: ExchangeOutcome): string[] {
  const shown = outcome.differences.slice(0, SHOWN_DIFFERENCES).map((difference) => {
    const allowed = difference.allowedBy === undefined ? '' : `  [allowed, line ${difference.allowedBy.line}: ${difference.allowedBy.reason}]`;
    return `${difference.path}: expected ${difference.expected}, got ${difference.got}${allowed}`;
  });
  const more = outcome.differences.length - shown.length;
  return [
    ...shown,
    ...(more > 0 ? [`… and ${more} more difference${more === 1 ? '' : 's'}`] : []),
    ...(outcome.request === undefined ? [] : reproduce([{ request: outcome.request }]).split('\n')),
  ];
}

/** `DIFF  #12 POST /orders (createOrder)` and its differences; `ALLOW` when every one is allowed; `skip  #5 …: why`. */
export function describeOutcome(outcome: ExchangeOutcome): string {
  if (outcome.status === 'same') return `same  ${title(outcome)}`;
  if (outcome.status === 'skipped') return `skip  ${title(outcome)}: ${outcome.reason}`;
  const label = outcome.status === 'allowed' ? 'ALLOW' : 'DIFF ';
  return [`${label} ${title(outcome)}`, ...differenceLines(outcome).map((line) => `${INDENT}${line}`)].join('\n');
}

/** `312 exchanges: 310 same, 2 differ (1 allowed), 0 skipped`. */
export const describeSummary = ({ exchanges, same, differ, allowed, skipped }: ReplayCounts) =>
  `${exchanges} exchange${exchanges === 1 ? '' : 's'}: ${same} same, ${differ} differ (${allowed} allowed), ${skipped} skipped`;

/** The kit's JUnit outcome of an exchange: a difference outside the allow list fails it; allowed ones pass. */
function asOutcome(outcome: ExchangeOutcome): Outcome {
  const checkName = `${outcome.operation.includes(' ') ? 'other' : outcome.operation}/${request(outcome)}`;
  const base = { checkName, durationMs: outcome.durationMs };
  if (outcome.status === 'skipped') return { ...base, status: 'skipped', reason: outcome.reason ?? '' };
  if (outcome.status !== 'differs') return { ...base, status: 'passed' };
  const unallowed = outcome.differences.filter((difference) => difference.allowedBy === undefined).length;
  const rule = `${unallowed} difference${unallowed === 1 ? '' : 's'} from the recorded answer`;
  return { ...base, status: 'failed', error: new ContractViolation([rule, ...differenceLines(outcome)].join('\n')) };
}

export interface ReplayJUnitReport {
  suite: string;
  outcomes: readonly ExchangeOutcome[];
  stopped?: string;
  timestamp: Date;
  durationMs: number;
}

/** Writes the JUnit report (one testcase per exchange); the reason it could not, or undefined. */
export function writeReplayJUnit(file: string, report: ReplayJUnitReport): string | undefined {
  return writeJUnit(file, junitXml({ ...report, outcomes: report.outcomes.map(asOutcome) }));
}

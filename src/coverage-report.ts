/**
 * A key's coverage (`GET /sandbox/coverage`) as the command and the dashboard show it: every
 * possibility as one item of a group, never met first, and the share met. Pure, with no Node or
 * DOM, so the browser bundle and the command read it the same way.
 */
import type { SandboxCoverage } from './api-types.ts';

export type Coverage = SandboxCoverage;
export type CoverageSummary = Coverage['summary'];

export type GroupName = keyof Omit<Coverage, 'summary'>;

/** The groups in the order they are shown, with their headings. */
export const COVERAGE_GROUPS: ReadonlyArray<{ name: GroupName; title: string }> = [
  { name: 'responses', title: 'Responses' },
  { name: 'statuses', title: 'Statuses' },
  { name: 'events', title: 'Webhook events' },
  { name: 'magicValues', title: 'Magic values' },
  { name: 'faults', title: 'Faults' },
];

export interface CoverageItem {
  group: GroupName;
  /** What items of a group are listed under: the operation of a response or magic value, the kind of a status; else ''. */
  under: string;
  /** The possibility itself, such as `409 idempotency_key_conflict` or `order.fulfilled`. */
  label: string;
  count: number;
  /** More about a met item, such as `1 replayed` or `1 acknowledged, 1 retried`. */
  detail: string;
  hint?: string;
  /** A stable name, such as `responses/createOrder 409 idempotency_key_conflict`. */
  name: string;
}

/** The report's hint on how to meet an entry, where its kind of entry has one. */
const hintOf = (entry: object): string | undefined => {
  const { hint } = entry as { hint?: unknown };
  return typeof hint === 'string' ? hint : undefined;
};

const more = (parts: Array<[number | undefined, string]>) => parts.filter(([value]) => value !== undefined && value > 0).map(([value, what]) => `${value} ${what}`).join(', ');

function item(group: GroupName, under: string, label: string, count: number, detail: string, hint: string | undefined): CoverageItem {
  return { group, under, label, count, detail, ...(hint === undefined ? {} : { hint }), name: `${group}/${under === '' ? '' : `${under} `}${label}` };
}

/** Every possibility of the report, group by group in COVERAGE_GROUPS's order, each in the report's order. */
export function coverageItems(coverage: Coverage): CoverageItem[] {
  const byGroup: Record<GroupName, CoverageItem[]> = {
    responses: coverage.responses.map((answer) => item('responses', answer.operationId, `${answer.status}${answer.code === undefined ? '' : ` ${answer.code}`}`, answer.count, more([[answer.replayed, 'replayed']]), hintOf(answer))),
    statuses: coverage.statuses.map((status) => item('statuses', status.kind, status.status, status.count, '', hintOf(status))),
    events: coverage.events.map((event) => item('events', '', event.type, event.count, more([[event.acknowledged, 'acknowledged'], [event.retried, 'retried']]), hintOf(event))),
    magicValues: coverage.magicValues.map((magic) => item('magicValues', magic.operationId, `${magic.field} = ${magic.value}`, magic.count, '', hintOf(magic))),
    faults: coverage.faults.map((fault) => item('faults', '', fault.kind, fault.count, '', hintOf(fault))),
  };
  return COVERAGE_GROUPS.flatMap(({ name }) => byGroup[name]);
}

/** Items of one group, split by what they are listed under, keeping the first-seen order. */
export function byUnder(items: readonly CoverageItem[]): Array<{ under: string; items: CoverageItem[] }> {
  const lists = new Map<string, CoverageItem[]>();
  for (const one of items) lists.set(one.under, [...(lists.get(one.under) ?? []), one]);
  return [...lists].map(([under, listed]) => ({ under, items: listed }));
}

export interface CoverageGroup { name: GroupName; title: string; lists: Array<{ under: string; items: CoverageItem[] }> }

/** Items as they are shown: by group in COVERAGE_GROUPS's order (groups without items left out), each split by `under`. */
export function groupItems(items: readonly CoverageItem[]): CoverageGroup[] {
  return COVERAGE_GROUPS.map(({ name, title }) => ({ name, title, lists: byUnder(items.filter((one) => one.group === name)) }))
    .filter((group) => group.lists.length > 0);
}

/** The report's items split into never met and met, each in the order they are shown. */
export function splitByMet(coverage: Coverage): { unmet: CoverageItem[]; met: CoverageItem[] } {
  const items = coverageItems(coverage);
  return { unmet: items.filter((one) => one.count === 0), met: items.filter((one) => one.count > 0) };
}

/** The share met as a percentage with one decimal; never rounded up to 100.0% while something is unmet. */
export function sharePercent({ seen, total }: CoverageSummary): string {
  if (total === 0 || seen >= total) return '100.0%';
  return `${Math.min(Math.round((seen / total) * 1000) / 10, 99.9).toFixed(1)}%`;
}

/** Whether the share met is at least `percent` (compared exactly, not through a rounded figure). */
export function meets({ seen, total }: CoverageSummary, percent: number): boolean {
  return total === 0 || seen * 100 >= percent * total;
}

/** `Coverage: 41 of 63 (65.1%)`. */
export function summaryLine(summary: CoverageSummary): string {
  return `Coverage: ${summary.seen} of ${summary.total} (${sharePercent(summary)})`;
}

import type { ErrorCode, FaultKind, SandboxCoverage, WebhookEventType } from '../api-types.ts';
import type { TenantPart } from '../tenancy/tenancy.ts';
import type { Possibilities, StatusPossibility } from './possibilities.ts';

/** One key's counts, one slot per possibility: its size is the spec's, whatever the traffic. */
interface Counts {
  responses: Float64Array;
  replayed: Float64Array;
  statuses: Float64Array;
  events: Float64Array;
  acknowledged: Float64Array;
  retried: Float64Array;
  magicValues: Float64Array;
  faults: Float64Array;
}

/** A response's slot: a success status has one, an error status one per code. */
type StatusSlot = number | Map<string, number>;

/** A magic value's field as a path into the request body, read without building strings. */
interface MagicMatcher {
  slot: number;
  path: string[];
  value: string;
}

/** One delivery attempt, as coverage needs it (a WebhookDelivery has these). */
export interface AttemptFacts {
  eventType: string;
  attempt: number;
  succeeded: boolean;
}

/** The answers that reach no client: counted as faults only. */
const UNANSWERED_FAULTS = new Set(['drop', 'lost-response']);

function indexBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  return new Map(items.map((item, index) => [key(item), index]));
}

function valueAt(body: unknown, path: readonly string[]): unknown {
  let value = body;
  for (const name of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/**
 * Per API key, how often each possibility of the spec was met. Every lookup is into tables built
 * once from the possibilities, so counting a request is a few map reads and an increment.
 */
export class Coverage {
  private readonly tenants = new Map<string, Counts>();
  private readonly responseSlots = new Map<string, Map<number, StatusSlot>>();
  private readonly statusSlots: Record<StatusPossibility['kind'], Map<string, number>>;
  private readonly eventSlots: Map<string, number>;
  private readonly faultSlots: Map<string, number>;
  private readonly magicMatchers = new Map<string, MagicMatcher[]>();

  constructor(readonly possibilities: Possibilities) {
    possibilities.responses.forEach(({ operationId, status, code }, slot) => {
      let byStatus = this.responseSlots.get(operationId);
      if (byStatus === undefined) this.responseSlots.set(operationId, byStatus = new Map());
      if (code === undefined) {
        byStatus.set(status, slot);
        return;
      }
      let byCode = byStatus.get(status);
      if (!(byCode instanceof Map)) byStatus.set(status, byCode = new Map());
      byCode.set(code, slot);
    });
    const { statuses } = possibilities;
    this.statusSlots = {
      order: new Map(statuses.flatMap((entry, slot) => (entry.kind === 'order' ? [[entry.status, slot] as const] : []))),
      refill: new Map(statuses.flatMap((entry, slot) => (entry.kind === 'refill' ? [[entry.status, slot] as const] : []))),
    };
    this.eventSlots = indexBy(possibilities.events, ({ type }) => type);
    this.faultSlots = indexBy(possibilities.faults, ({ kind }) => kind);
    possibilities.magicValues.forEach(({ operationId, field, value }, slot) => {
      let matchers = this.magicMatchers.get(operationId);
      if (matchers === undefined) this.magicMatchers.set(operationId, matchers = []);
      matchers.push({ slot, path: field.split('.'), value });
    });
  }

  private newCounts(): Counts {
    const { responses, statuses, events, magicValues, faults } = this.possibilities;
    return {
      responses: new Float64Array(responses.length),
      replayed: new Float64Array(responses.length),
      statuses: new Float64Array(statuses.length),
      events: new Float64Array(events.length),
      acknowledged: new Float64Array(events.length),
      retried: new Float64Array(events.length),
      magicValues: new Float64Array(magicValues.length),
      faults: new Float64Array(faults.length),
    };
  }

  /** An answer served to the key (`status` undefined when none was rendered). */
  answered(tenant: string, operationId: string | undefined, status: number | undefined, code: string | undefined, replayed: boolean, fault: string | undefined): void {
    if (operationId === undefined) return;
    const byStatus = this.responseSlots.get(operationId);
    if (byStatus === undefined) return;
    const counts = this.tenants.get(tenant);
    if (counts === undefined) return;
    if (fault !== undefined) {
      const faultSlot = this.faultSlots.get(fault);
      if (faultSlot !== undefined) counts.faults[faultSlot]!++;
      if (UNANSWERED_FAULTS.has(fault)) return;
    }
    if (status === undefined) return;
    const slot = byStatus.get(status);
    const index = typeof slot === 'number' ? slot : code === undefined ? undefined : slot?.get(code);
    if (index === undefined) return;
    counts.responses[index]!++;
    if (replayed) counts.replayed[index]!++;
  }

  /** A record of the key reached `status` (its creation counts for its first). */
  reached(tenant: string, kind: StatusPossibility['kind'], status: string): void {
    const slot = this.statusSlots[kind].get(status);
    const counts = this.tenants.get(tenant);
    if (slot !== undefined && counts !== undefined) counts.statuses[slot]!++;
  }

  /** A webhook delivery attempt for the key; an event dead-lettered unsent (`sent` false) was never met. */
  attempted(tenant: string, { eventType, attempt, succeeded }: AttemptFacts, sent: boolean): void {
    const slot = this.eventSlots.get(eventType);
    const counts = this.tenants.get(tenant);
    if (slot === undefined || counts === undefined || !sent) return;
    if (attempt === 1) counts.events[slot]!++;
    if (attempt === 2) counts.retried[slot]!++;
    if (succeeded) counts.acknowledged[slot]!++;
  }

  /** A create request that passed its schema: each magic value it carries. */
  requested(tenant: string, operationId: string | undefined, body: unknown): void {
    const matchers = operationId === undefined ? undefined : this.magicMatchers.get(operationId);
    const counts = matchers === undefined ? undefined : this.tenants.get(tenant);
    if (counts === undefined) return;
    for (const { slot, path, value } of matchers!) {
      if (valueAt(body, path) === value) counts.magicValues[slot]!++;
    }
  }

  /** The key's coverage, every possibility listed (all zero for a key not held). */
  report(tenant: string): SandboxCoverage {
    const counts = this.tenants.get(tenant) ?? this.newCounts();
    const { responses, statuses, events, magicValues, faults } = this.possibilities;
    const report: SandboxCoverage = {
      summary: { seen: 0, total: 0 },
      responses: responses.map((response, slot) => ({
        operationId: response.operationId, status: response.status, ...(response.code === undefined ? {} : { code: response.code as ErrorCode }),
        count: counts.responses[slot]!, replayed: counts.replayed[slot]!, hint: response.hint,
      })),
      statuses: statuses.map((entry, slot) => ({ ...entry, count: counts.statuses[slot]! })),
      events: events.map(({ type, hint }, slot) => ({
        type: type as WebhookEventType, count: counts.events[slot]!, acknowledged: counts.acknowledged[slot]!, retried: counts.retried[slot]!, hint,
      })),
      magicValues: magicValues.map((magic, slot) => ({ ...magic, count: counts.magicValues[slot]! })),
      faults: faults.map(({ kind, hint }, slot) => ({ kind: kind as FaultKind, count: counts.faults[slot]!, hint })),
    };
    const all = [report.responses, report.statuses, report.events, report.magicValues, report.faults].flat();
    report.summary = { seen: all.filter((entry) => entry.count > 0).length, total: all.length };
    return report;
  }

  /** Counting starts when the key is set up; a reset clears it (walked after the fixtures are imported); it goes with the key. */
  readonly part: TenantPart = {
    name: 'coverage',
    setUp: (tenant) => {
      if (!this.tenants.has(tenant)) this.tenants.set(tenant, this.newCounts());
    },
    reset: (tenant) => {
      this.tenants.set(tenant, this.newCounts());
    },
    forget: (tenant) => {
      this.tenants.delete(tenant);
    },
  };
}

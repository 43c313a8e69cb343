import type { CreateRefillRequest, Refill, RefillStatus } from '../api-types.ts';
import { isoTime, type Clock } from '../clock.ts';
import { ApiError, doneUnlessGone } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import type { Store } from '../store/store.ts';
import { TenantDueQueues } from './due-queue.ts';
import { REFILL_OUTCOMES, REFILL_REFUSALS } from './magic-values.ts';
import type { Catalog } from './catalog.ts';
import { REFILL_WINDOW_SHARE } from './prescriptions.ts';
import type { RefillRecord, StatusChange } from './records.ts';
import { addBusinessDays, type Step } from './timeline.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How long a refill waits in each status before the next, in ms. */
export interface RefillTimeline {
  approved: number;
  processing: number;
  shipped: number;
  /** How long a manual review takes, for `rx_test_review` and `rx_test_denied`. */
  review: number;
}

/** Approved within a day (4 h), processing 4 h later, shipped a day after that. */
export const DEFAULT_REFILL_TIMELINE: RefillTimeline = { approved: 4 * HOUR, processing: 4 * HOUR, shipped: 24 * HOUR, review: 48 * HOUR };

export interface RefillServiceDeps {
  store: Store;
  /** Each tenant's source of ids. */
  idsFor(tenant: string): IdGenerator;
  clockFor(tenant: string): Clock;
  timeline: RefillTimeline;
  /** Refuse patients and prescriptions the catalog does not know, as production does. */
  strictReferences: boolean;
  catalog: Catalog;
  onStatusChange?: (tenant: string, record: RefillRecord, change: StatusChange<RefillStatus>) => void | Promise<void>;
}

function refillNotFound(refillId: string): ApiError {
  return new ApiError('not_found', `No refill with id ${refillId}`, { field: 'refillId', reason: 'Not found' });
}

function invalid(field: string, reason: string): ApiError {
  return new ApiError('validation_error', 'The request body is invalid', { field, reason });
}

function notEligible(reason: string, nextEligibleDate: string | null): ApiError {
  return new ApiError('refill_not_eligible', `This refill is not eligible: ${reason}`, { reason, nextEligibleDate });
}

export function nextRefillStep(record: RefillRecord, timeline: RefillTimeline): Step<RefillStatus> | undefined {
  const since = Date.parse(record.history.at(-1)!.at);
  switch (record.refill.status) {
    case 'pending':
      if (record.outcome === 'denied') return { status: 'cancelled', dueAt: since + timeline.review / 2, reason: 'Denied at manual review' };
      if (record.outcome === 'review') return { status: 'approved', dueAt: since + timeline.review, reason: 'Approved at manual review' };
      return { status: 'approved', dueAt: since + timeline.approved, reason: 'Eligibility confirmed; approved' };
    case 'approved':
      return { status: 'processing', dueAt: since + timeline.processing, reason: 'The pharmacy started filling the refill' };
    case 'processing':
      return { status: 'shipped', dueAt: since + timeline.shipped, reason: 'Handed to the carrier' };
    default:
      return undefined;
  }
}

/** Refills for one tenant at a time: eligibility at creation, then the lifecycle on the tenant's clock. */
export class RefillService {
  private readonly queues = new TenantDueQueues();
  /** The latest creation under way per tenant and prescription. */
  private readonly creating = new Map<string, Promise<void>>();

  constructor(private readonly deps: RefillServiceDeps) {}

  reset(tenant: string): void {
    this.queues.drop(tenant);
  }

  /** Refusals decided from the request alone (422 `validation_error`), before any work. */
  screen(request: CreateRefillRequest): void {
    const magic = REFILL_REFUSALS[request.prescriptionId];
    if (magic?.code === 'validation_error') throw invalid('prescriptionId', magic.reason);
    if (request.patientId === 'pat_test_not_found') throw invalid('patientId', 'Patient not found');
    // A magic prescription keeps its documented refusal under strict validation too.
    if (!this.deps.strictReferences || magic !== undefined) return;
    if (!this.deps.catalog.knowsPrescription(request.prescriptionId)) throw invalid('prescriptionId', 'Prescription not found');
    if (!this.deps.catalog.knowsPatient(request.patientId)) throw invalid('patientId', 'Patient not found');
  }

  /**
   * Checks eligibility and creates the refill; a refusal is `refill_not_eligible`. Creations for
   * one prescription run one at a time, so parallel requests cannot all pass the same window.
   */
  async create(tenant: string, request: CreateRefillRequest): Promise<RefillRecord> {
    const lock = `${tenant}\u0000${request.prescriptionId}`;
    const previous = this.creating.get(lock) ?? Promise.resolve();
    const attempt = previous.catch(() => undefined).then(() => this.createNow(tenant, request));
    const settled = attempt.then(() => undefined, () => undefined);
    this.creating.set(lock, settled);
    try {
      return await attempt;
    } finally {
      if (this.creating.get(lock) === settled) this.creating.delete(lock);
    }
  }

  private async createNow(tenant: string, request: CreateRefillRequest): Promise<RefillRecord> {
    const now = this.deps.clockFor(tenant).now();
    const rules = this.deps.catalog.rules(request.prescriptionId);
    const magic = REFILL_REFUSALS[request.prescriptionId];
    if (magic !== undefined) {
      throw notEligible(magic.reason, magic.nextEligibleInDays === null ? null : isoTime(now + magic.nextEligibleInDays * DAY).slice(0, 10));
    }
    const requestedQuantity = request.requestedQuantity ?? rules.quantity;
    if (requestedQuantity > rules.quantity) {
      throw notEligible(`Requested quantity exceeds the prescribed quantity of ${rules.quantity}`, null);
    }
    const earlier = (await this.deps.store.refillsOfPrescription(tenant, request.prescriptionId))
      .filter((record) => record.refill.status !== 'cancelled');
    if (earlier.length >= rules.refills) throw notEligible('No refills remaining', null);
    const last = earlier.at(-1);
    if (last !== undefined) {
      const eligibleAt = Date.parse(last.refill.createdAt) + rules.daysSupply * REFILL_WINDOW_SHARE * DAY;
      if (now < eligibleAt) throw notEligible('Too early to refill', isoTime(eligibleAt).slice(0, 10));
    }

    const at = isoTime(now);
    const refill: Refill = {
      id: this.deps.idsFor(tenant).next('ref'),
      prescriptionId: request.prescriptionId,
      patientId: request.patientId,
      status: 'pending',
      requestedQuantity,
      approvedQuantity: null,
      createdAt: at,
      estimatedShipDate: null,
    };
    const outcome = REFILL_OUTCOMES[request.prescriptionId]?.outcome;
    const reason = outcome === undefined ? 'Requested' : 'Requested; waiting for manual review';
    const change: StatusChange<RefillStatus> = { status: 'pending', at, reason };
    const record: RefillRecord = { refill, history: [change], ...(outcome === undefined ? {} : { outcome }) };
    await this.deps.store.saveRefill(tenant, record);
    this.schedule(tenant, record);
    await this.deps.onStatusChange?.(tenant, record, change);
    return record;
  }

  /** Places a refill `placedAgoMs` in the past with no eligibility check, then lets the clock catch it up. */
  async importRefill(tenant: string, request: Required<CreateRefillRequest> & { id: string }, placedAgoMs: number): Promise<void> {
    const at = isoTime(this.deps.clockFor(tenant).now() - placedAgoMs);
    const record: RefillRecord = {
      refill: {
        id: request.id, prescriptionId: request.prescriptionId, patientId: request.patientId, status: 'pending',
        requestedQuantity: request.requestedQuantity, approvedQuantity: null, createdAt: at, estimatedShipDate: null,
      },
      history: [{ status: 'pending', at, reason: 'Requested (fixture)' }],
    };
    await this.deps.store.saveRefill(tenant, record);
    const current = await this.get(tenant, request.id);
    if (current.history.length === 1) this.schedule(tenant, current);
  }

  async get(tenant: string, refillId: string): Promise<RefillRecord> {
    const record = await this.deps.store.getRefill(tenant, refillId);
    if (record === undefined) throw refillNotFound(refillId);
    const now = this.deps.clockFor(tenant).now();
    let current = record;
    for (let step = nextRefillStep(current, this.deps.timeline); step !== undefined && step.dueAt <= now; step = nextRefillStep(current, this.deps.timeline)) {
      current = await this.apply(tenant, current, step);
    }
    return current;
  }

  /** Applies, in due order, every change due on the tenant's clock. */
  async sweep(tenant: string): Promise<void> {
    const now = this.deps.clockFor(tenant).now();
    for (let entry = this.queues.popDue(tenant, now); entry !== undefined; entry = this.queues.popDue(tenant, now)) {
      const record = await this.deps.store.getRefill(tenant, entry.id);
      const step = record === undefined ? undefined : nextRefillStep(record, this.deps.timeline);
      if (record !== undefined && step !== undefined && step.dueAt === entry.dueAt) await doneUnlessGone(this.apply(tenant, record, step));
    }
  }

  async sweepAll(): Promise<void> {
    await this.queues.forEachTenant((tenant) => this.sweep(tenant));
  }

  private schedule(tenant: string, record: RefillRecord): void {
    const step = nextRefillStep(record, this.deps.timeline);
    if (step !== undefined) this.queues.push(tenant, { dueAt: step.dueAt, id: record.refill.id });
  }

  private async apply(tenant: string, record: RefillRecord, step: Step<RefillStatus>): Promise<RefillRecord> {
    const stored = await this.deps.store.getRefill(tenant, record.refill.id);
    // Gone: a reset dropped it while this was under way; writing it back would resurrect it.
    if (stored === undefined) throw refillNotFound(record.refill.id);
    if (stored.history.length !== record.history.length) return stored;
    const at = isoTime(step.dueAt);
    const change: StatusChange<RefillStatus> = { status: step.status, at, reason: step.reason };
    const refill: Refill = { ...record.refill, status: step.status };
    if (step.status === 'approved') {
      refill.approvedQuantity = refill.requestedQuantity;
      refill.estimatedShipDate = addBusinessDays(step.dueAt, 1);
    }
    const next: RefillRecord = { ...record, refill, history: [...record.history, change] };
    await this.deps.store.saveRefill(tenant, next);
    this.schedule(tenant, next);
    await this.deps.onStatusChange?.(tenant, next, change);
    return next;
  }
}

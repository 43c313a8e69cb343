import type { CreateRefillRequest, Refill, RefillStatus } from '../api-types.ts';
import { isoTime, type Clock } from '../clock.ts';
import type { KeyedLock } from '../concurrency/keyed-lock.ts';
import type { IdGenerator } from '../ids.ts';
import { LifecycleEngine, type EngineDeps } from '../lifecycle/engine.ts';
import { REFILL_LIFECYCLE, type RefillTimeline } from '../lifecycle/refill-lifecycle.ts';
import type { Store } from '../store/store.ts';
import type { Catalog } from './catalog.ts';
import { listPage, type ListQuery } from './listing.ts';
import { REFILL_OUTCOMES, REFILL_PATIENT_REFUSALS, REFILL_REFUSALS } from './magic-values.ts';
import { REFILL_WINDOW_SHARE } from './prescriptions.ts';
import type { RefillOutcome, RefillRecord } from './records.ts';
import { invalid, limitReached, Refusal } from './refusal.ts';

/** Refills one API key may hold (`--max-refills`), fixtures included. */
export const DEFAULT_MAX_REFILLS = 100_000;

const DAY = 24 * 3_600_000;

export interface RefillServiceDeps {
  store: Store;
  lock: KeyedLock<string>;
  /** Each tenant's source of ids. */
  idsFor(tenant: string): IdGenerator;
  clockFor(tenant: string): Clock;
  timeline: RefillTimeline;
  /** Refuse patients and prescriptions the catalog does not know, as production does. */
  strictReferences: boolean;
  catalog: Catalog;
  onChange: EngineDeps<RefillTimeline>['onChange'];
  reportUnexpected: EngineDeps<RefillTimeline>['reportUnexpected'];
  /** Refills one tenant may hold; a create beyond it is refused with `limit_reached`. */
  maxRefills: number;
}

export type RefillEngine = LifecycleEngine<RefillRecord, RefillStatus, RefillOutcome, RefillTimeline, Refill>;

function notEligible(reason: string, nextEligibleDate: string | null): Refusal {
  return new Refusal('refill_not_eligible', `This refill is not eligible: ${reason}`, { reason, nextEligibleDate });
}

/** Refills: eligibility at creation, then the refill step table on the tenant's clock. */
export class RefillService {
  readonly engine: RefillEngine;

  constructor(private readonly deps: RefillServiceDeps) {
    const { store } = deps;
    this.engine = new LifecycleEngine({
      table: REFILL_LIFECYCLE,
      resource: (record) => record.refill,
      withResource: (record, refill, history) => ({ ...record, refill, history }),
      load: (tenant, id) => store.getRefill(tenant, id),
      save: (tenant, record, expectedVersion) => store.putRefill(tenant, record, expectedVersion),
    }, deps);
  }

  /** Refusals decided from the request alone (422 `validation_error`), before any work. */
  screen(request: CreateRefillRequest): void {
    const magic = REFILL_REFUSALS[request.prescriptionId];
    if (magic?.code === 'validation_error') throw invalid('prescriptionId', magic.reason);
    const patientRefusal = REFILL_PATIENT_REFUSALS[request.patientId];
    if (patientRefusal !== undefined) throw invalid('patientId', patientRefusal);
    // A magic prescription keeps its documented refusal under strict validation too.
    if (!this.deps.strictReferences || magic !== undefined) return;
    if (!this.deps.catalog.knowsPrescription(request.prescriptionId)) throw invalid('prescriptionId', 'Prescription not found');
    if (!this.deps.catalog.knowsPatient(request.patientId)) throw invalid('patientId', 'Patient not found');
  }

  /**
   * Checks eligibility and creates the refill; a refusal is `refill_not_eligible`. Creations for
   * one prescription run one at a time, so parallel requests cannot all pass the same window.
   */
  create(tenant: string, request: CreateRefillRequest): Promise<RefillRecord> {
    return this.deps.lock.exclusive(`refill-eligibility\u0000${tenant}\u0000${request.prescriptionId}`, () => this.createNow(tenant, request));
  }

  private async createNow(tenant: string, request: CreateRefillRequest): Promise<RefillRecord> {
    const { maxRefills } = this.deps;
    // Before eligibility: a refusal for eligibility is the request's answer, kept under its key; a cap is not.
    if (await this.deps.store.countRefills(tenant) >= maxRefills) {
      throw limitReached('refills', maxRefills, 'POST /sandbox/reset to empty this API key (or start the sandbox with a higher --max-refills)');
    }
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
    const outcome = REFILL_OUTCOMES[request.prescriptionId]?.outcome;
    const reason = outcome === undefined ? REFILL_LIFECYCLE.created.reason : `${REFILL_LIFECYCLE.created.reason}; waiting for manual review`;
    return this.engine.create(tenant, this.newRecord(this.deps.idsFor(tenant).next('ref'), { ...request, requestedQuantity }, isoTime(now), reason, outcome));
  }

  private newRecord(id: string, request: Required<CreateRefillRequest>, at: string, reason: string, outcome?: RefillOutcome): RefillRecord {
    const status = REFILL_LIFECYCLE.created.status;
    return {
      version: 0,
      refill: {
        id, prescriptionId: request.prescriptionId, patientId: request.patientId, status,
        requestedQuantity: request.requestedQuantity, approvedQuantity: null, createdAt: at, estimatedShipDate: null,
      },
      history: [{ status, at, reason }],
      ...(outcome === undefined ? {} : { outcome }),
    };
  }

  /** Places a refill `placedAgoMs` in the past with no eligibility check, then lets the clock catch it up. */
  async importRefill(tenant: string, request: Required<CreateRefillRequest> & { id: string }, placedAgoMs: number): Promise<void> {
    const at = isoTime(this.deps.clockFor(tenant).now() - placedAgoMs);
    await this.engine.create(tenant, this.newRecord(request.id, request, at, 'Requested (fixture)'), false);
    await this.engine.read(tenant, request.id);
  }

  get(tenant: string, refillId: string): Promise<RefillRecord> {
    return this.engine.read(tenant, refillId);
  }

  /** The tenant's refills, newest first, once every refill due a step has taken it. */
  async list(tenant: string, query: ListQuery<RefillStatus>) {
    await this.engine.sweep(tenant);
    return listPage('refill', () => this.deps.store.listRefills(tenant, query, query));
  }
}

import type { CreateOrderRequest, Order, OrderStatus } from '../api-types.ts';
import { isoTime, type Clock } from '../clock.ts';
import { ApiError, doneUnlessGone } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { UnknownCursorError, type OrderFilter, type Store } from '../store/store.ts';
import { TenantDueQueues } from './due-queue.ts';
import { magicOutcome, magicRefusal } from './magic-values.ts';
import { FULFILMENT_PATH, isCancellable } from './order-lifecycle.ts';
import type { OrderRecord, StatusChange } from './records.ts';
import type { Catalog } from './catalog.ts';
import { testDataOrders } from './test-data.ts';
import { addBusinessDays, nextStep, type Step, type Timeline } from './timeline.ts';
import { CARRIERS, trackingNumber } from './tracking.ts';

export interface OrderServiceDeps {
  store: Store;
  /** Each tenant's source of ids and tracking numbers. */
  idsFor(tenant: string): IdGenerator;
  clockFor(tenant: string): Clock;
  timeline: Timeline;
  /** Refuse patients and prescriptions the catalog does not know, as production does. */
  strictReferences: boolean;
  catalog: Catalog;
  /** Told of every status change after it is stored, in the order they happen. */
  onStatusChange?: (tenant: string, record: OrderRecord, change: StatusChange) => void | Promise<void>;
}

export interface OrderListQuery extends OrderFilter {
  limit: number;
  after?: string;
}

const DELIVERY_ESTIMATE_BUSINESS_DAYS = 3;

function notFound(orderId: string): ApiError {
  return new ApiError('not_found', `No order with id ${orderId}`, { field: 'orderId', reason: 'Not found' });
}

function invalid(field: string, reason: string): ApiError {
  return new ApiError('validation_error', 'The request body is invalid', { field, reason });
}

/**
 * Orders for one tenant at a time: the rules of the published contract and the sandbox's
 * timeline, with no HTTP in sight. Status changes fall due on the tenant's clock; a read applies
 * what is due, and `sweep` applies it with no read, one step at a time in due order.
 */
export class OrderService {
  private readonly queues = new TenantDueQueues();

  constructor(private readonly deps: OrderServiceDeps) {}

  private schedule(tenant: string, record: OrderRecord): void {
    const step = nextStep(record, this.deps.timeline);
    if (step !== undefined) this.queues.push(tenant, { dueAt: step.dueAt, id: record.order.id });
  }

  /** True when the tenant was new and now has the published test data. */
  async ensureTenant(tenant: string): Promise<boolean> {
    return this.deps.store.ensureTenant(tenant, testDataOrders);
  }

  /** Places an order `placedAgoMs` in the past, cancelled `cancelledAfterMs` after placing if asked, then lets the clock catch it up. */
  async importOrder(tenant: string, request: CreateOrderRequest & { id: string }, placedAgoMs: number, cancelledAfterMs?: number): Promise<void> {
    const now = this.deps.clockFor(tenant).now();
    const placedAt = now - placedAgoMs;
    const at = isoTime(placedAt);
    const { street1, street2, city, state, zip, country = 'US' } = request.shippingAddress;
    let record: OrderRecord = {
      order: {
        id: request.id, patientId: request.patientId, prescriptionId: request.prescriptionId, status: 'pending',
        shippingAddress: { street1, ...(street2 === undefined ? {} : { street2 }), city, state, zip, country },
        createdAt: at, updatedAt: at,
      },
      ...(request.notes === undefined ? {} : { notes: request.notes }),
      history: [{ status: 'pending', at, reason: 'Created (fixture)' }],
    };
    await this.deps.store.saveOrder(tenant, record);
    const cancelAt = cancelledAfterMs === undefined ? Infinity : placedAt + cancelledAfterMs;
    for (let step = nextStep(record, this.deps.timeline); step !== undefined && step.dueAt <= Math.min(now, cancelAt); step = nextStep(record, this.deps.timeline)) {
      record = await this.apply(tenant, record, step);
    }
    if (cancelAt <= now && isCancellable(record.order.status)) {
      record = await this.apply(tenant, record, { status: 'cancelled', dueAt: cancelAt, reason: 'Cancelled by the patient (fixture)' });
    }
    // `apply` schedules what follows each change; an order still as placed needs its first step scheduled.
    if (record.history.length === 1) this.schedule(tenant, record);
  }

  /** Drops the tenant: its orders, idempotency keys and due changes. */
  async forget(tenant: string): Promise<void> {
    this.queues.drop(tenant);
    await this.deps.store.dropTenant(tenant);
  }

  async reset(tenant: string): Promise<void> {
    this.queues.drop(tenant);
    await this.deps.store.resetTenant(tenant, testDataOrders());
  }

  /** The refusals decided from the request alone: magic values, and production's strict validation. */
  screen(request: CreateOrderRequest): void {
    const refusal = magicRefusal(request);
    if (refusal !== undefined) throw invalid(refusal.field, refusal.reason);
    if (!this.deps.strictReferences) return;
    if (!this.deps.catalog.knowsPatient(request.patientId)) throw invalid('patientId', 'Patient not found');
    if (!this.deps.catalog.knowsPrescription(request.prescriptionId)) throw invalid('prescriptionId', 'Prescription not found');
  }

  /** `request` has passed the spec's schema and `screen`. */
  async create(tenant: string, request: CreateOrderRequest): Promise<OrderRecord> {
    const now = isoTime(this.deps.clockFor(tenant).now());
    const { street1, street2, city, state, zip, country = 'US' } = request.shippingAddress;
    const order: Order = {
      id: this.deps.idsFor(tenant).next('ord'),
      patientId: request.patientId,
      prescriptionId: request.prescriptionId,
      status: 'pending',
      shippingAddress: { street1, ...(street2 === undefined ? {} : { street2 }), city, state, zip, country },
      createdAt: now,
      updatedAt: now,
    };
    const outcome = magicOutcome(request.prescriptionId);
    const change: StatusChange = { status: 'pending', at: now, reason: 'Created' };
    const record: OrderRecord = {
      order,
      ...(request.notes === undefined ? {} : { notes: request.notes }),
      ...(outcome === undefined ? {} : { outcome }),
      history: [change],
    };
    await this.deps.store.saveOrder(tenant, record);
    this.schedule(tenant, record);
    await this.deps.onStatusChange?.(tenant, record, change);
    return record;
  }

  /** The order as the tenant's clock says it is now. */
  async get(tenant: string, orderId: string): Promise<OrderRecord> {
    const record = await this.deps.store.getOrder(tenant, orderId);
    if (record === undefined) throw notFound(orderId);
    return this.catchUp(tenant, record);
  }

  async cancel(tenant: string, orderId: string, reason = 'Cancelled through DELETE /orders/{orderId}'): Promise<OrderRecord> {
    const record = await this.get(tenant, orderId);
    const { status } = record.order;
    if (status === 'cancelled') return record;
    if (record.frozen) {
      throw new ApiError('order_not_cancellable', `Order ${orderId} is published test data and stays ${status}; create an order to cancel`, {
        field: 'orderId', reason: 'Published test data is frozen',
      });
    }
    if (!isCancellable(status)) {
      throw new ApiError('order_not_cancellable', `Order ${orderId} is ${status} and can no longer be cancelled`, {
        field: 'status', reason: `An order cannot be cancelled once ${status}`,
      });
    }
    return this.apply(tenant, record, { status: 'cancelled', dueAt: this.deps.clockFor(tenant).now(), reason });
  }

  /** Moves an order along the fulfilment path now: to the next status, or on to `to`. */
  async advance(tenant: string, orderId: string, to?: OrderStatus): Promise<OrderRecord> {
    let record = await this.get(tenant, orderId);
    if (record.frozen) {
      throw new ApiError('invalid_state_transition', `Order ${orderId} is published test data and stays ${record.order.status}; create an order to advance`, {
        field: 'orderId', reason: 'Published test data is frozen',
      });
    }
    const from = FULFILMENT_PATH.indexOf(record.order.status);
    const target = to === undefined ? from + 1 : FULFILMENT_PATH.indexOf(to);
    if (from === -1 || target <= from || target >= FULFILMENT_PATH.length) {
      const wanted = to ?? 'the next status';
      throw new ApiError('invalid_state_transition', `Order ${orderId} is ${record.order.status}; ${wanted} is not ahead of it on pending → processing → shipped → delivered`, {
        field: 'to', reason: `Not ahead of ${record.order.status}`,
      });
    }
    const now = this.deps.clockFor(tenant).now();
    for (const status of FULFILMENT_PATH.slice(from + 1, target + 1)) {
      record = await this.apply(tenant, record, { status, dueAt: now, reason: 'Advanced through POST /sandbox/orders/{orderId}/advance' });
    }
    return record;
  }

  async list(tenant: string, query: OrderListQuery) {
    await this.sweep(tenant);
    try {
      return await this.deps.store.listOrders(tenant, query, query);
    } catch (error) {
      if (error instanceof UnknownCursorError) {
        throw new ApiError('invalid_request', 'The cursor is not one this sandbox issued, or its order was removed by a reset', {
          field: 'cursor', reason: 'Unknown cursor',
        });
      }
      throw error;
    }
  }

  /** Applies, in due order, every change due on the tenant's clock; one step per order at a time. */
  async sweep(tenant: string): Promise<number> {
    const now = this.deps.clockFor(tenant).now();
    let applied = 0;
    for (let entry = this.queues.popDue(tenant, now); entry !== undefined; entry = this.queues.popDue(tenant, now)) {
      const record = await this.deps.store.getOrder(tenant, entry.id);
      if (record === undefined) continue;
      const step = nextStep(record, this.deps.timeline);
      // A read may have applied this step already; the entry it left covers what comes next.
      if (step === undefined || step.dueAt !== entry.dueAt) continue;
      if (await doneUnlessGone(this.apply(tenant, record, step))) applied++;
    }
    return applied;
  }

  async sweepAll(): Promise<void> {
    await this.queues.forEachTenant((tenant) => this.sweep(tenant));
  }

  private async catchUp(tenant: string, record: OrderRecord): Promise<OrderRecord> {
    const now = this.deps.clockFor(tenant).now();
    let current = record;
    for (let step = nextStep(current, this.deps.timeline); step !== undefined && step.dueAt <= now; step = nextStep(current, this.deps.timeline)) {
      current = await this.apply(tenant, current, step);
    }
    return current;
  }

  private async apply(tenant: string, record: OrderRecord, step: Step): Promise<OrderRecord> {
    // A concurrent read or sweep may have moved the order since `record` was read.
    const stored = await this.deps.store.getOrder(tenant, record.order.id);
    // Gone: a reset dropped it while this was under way; writing it back would resurrect it.
    if (stored === undefined) throw notFound(record.order.id);
    if (stored.history.length !== record.history.length) return stored;
    const at = isoTime(step.dueAt);
    const change: StatusChange = { status: step.status, at, reason: step.reason };
    const order: Order = { ...record.order, status: step.status, updatedAt: at };
    if (step.status === 'shipped') {
      const ids = this.deps.idsFor(tenant);
      const carrier = CARRIERS[ids.int(CARRIERS.length)]!;
      order.trackingNumber = trackingNumber(carrier, ids.digits(20));
      order.estimatedDeliveryDate = addBusinessDays(step.dueAt, DELIVERY_ESTIMATE_BUSINESS_DAYS);
    }
    const next: OrderRecord = { ...record, order, history: [...record.history, change] };
    await this.deps.store.saveOrder(tenant, next);
    this.schedule(tenant, next);
    await this.deps.onStatusChange?.(tenant, next, change);
    return next;
  }
}

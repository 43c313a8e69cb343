import type { CreateOrderRequest, Order, OrderStatus } from '../api-types.ts';
import { isoTime, type Clock } from '../clock.ts';
import type { KeyedLock } from '../concurrency/keyed-lock.ts';
import type { IdGenerator } from '../ids.ts';
import { LifecycleEngine, type EngineDeps, type Step } from '../lifecycle/engine.ts';
import { ORDER_LIFECYCLE, type Timeline } from '../lifecycle/order-lifecycle.ts';
import { mainPath, statusesAllowingRequest } from '../lifecycle/table.ts';
import { propertyDefault } from '../spec.ts';
import type { Store } from '../store/store.ts';
import type { Catalog } from './catalog.ts';
import { listPage, type ListQuery } from './listing.ts';
import { magicOutcome, magicRefusal, type OrderOutcome } from './magic-values.ts';
import type { OrderRecord } from './records.ts';
import { invalid, limitReached, Refusal } from './refusal.ts';

/** For orders placed without validation filling it in (fixtures, code calling the service directly). */
const DEFAULT_COUNTRY = propertyDefault('ShippingAddress', 'country') as string;

/** Orders one API key may hold (`--max-orders`), the published test order and fixtures included. */
export const DEFAULT_MAX_ORDERS = 100_000;

export interface OrderServiceDeps {
  store: Store;
  lock: KeyedLock<string>;
  /** Each tenant's source of ids and tracking numbers. */
  idsFor(tenant: string): IdGenerator;
  clockFor(tenant: string): Clock;
  timeline: Timeline;
  /** Refuse patients and prescriptions the catalog does not know, as production does. */
  strictReferences: boolean;
  catalog: Catalog;
  onChange: EngineDeps<Timeline>['onChange'];
  reportUnexpected: EngineDeps<Timeline>['reportUnexpected'];
  /** Orders one tenant may hold; a create beyond it is refused with `limit_reached`. */
  maxOrders: number;
}

export type OrderListQuery = ListQuery<OrderStatus>;

export type OrderEngine = LifecycleEngine<OrderRecord, OrderStatus, OrderOutcome, Timeline, Order>;

/** The path `POST /sandbox/orders/{orderId}/advance` walks, read from the table. */
export const FULFILMENT_PATH: readonly OrderStatus[] = mainPath(ORDER_LIFECYCLE);
const CANCELLABLE: readonly OrderStatus[] = statusesAllowingRequest(ORDER_LIFECYCLE, 'cancelled');

export function isCancellable(status: OrderStatus): boolean {
  return CANCELLABLE.includes(status);
}

function frozen(record: OrderRecord, verb: string): Refusal {
  const code = verb === 'cancel' ? 'order_not_cancellable' : 'invalid_state_transition';
  return new Refusal(code, `Order ${record.order.id} is published test data and stays ${record.order.status}; create an order to ${verb}`, {
    field: 'orderId', reason: 'Published test data is frozen',
  });
}

/**
 * Orders: the rules of the published contract, with no HTTP in sight. Their course is the order
 * step table, run by the lifecycle engine on each tenant's clock.
 */
export class OrderService {
  readonly engine: OrderEngine;

  constructor(private readonly deps: OrderServiceDeps) {
    const { store } = deps;
    this.engine = new LifecycleEngine({
      table: ORDER_LIFECYCLE,
      resource: (record) => record.order,
      withResource: (record, order, history) => ({ ...record, order: { ...order, updatedAt: history.at(-1)!.at }, history }),
      load: (tenant, id) => store.getOrder(tenant, id),
      save: (tenant, record, expectedVersion) => store.putOrder(tenant, record, expectedVersion),
    }, deps);
  }

  /** The refusals decided from the request alone: magic values, and production's strict validation. */
  screen(request: CreateOrderRequest): void {
    const refusal = magicRefusal(request);
    if (refusal !== undefined) throw invalid(refusal.field, refusal.reason);
    if (!this.deps.strictReferences) return;
    if (!this.deps.catalog.knowsPatient(request.patientId)) throw invalid('patientId', 'Patient not found');
    if (!this.deps.catalog.knowsPrescription(request.prescriptionId)) throw invalid('prescriptionId', 'Prescription not found');
  }

  private newRecord(id: string, request: CreateOrderRequest, at: string, reason: string): OrderRecord {
    const { street1, street2, city, state, zip, country = DEFAULT_COUNTRY } = request.shippingAddress;
    const outcome = magicOutcome(request.prescriptionId);
    return {
      version: 0,
      order: {
        id, patientId: request.patientId, prescriptionId: request.prescriptionId, status: ORDER_LIFECYCLE.created.status,
        shippingAddress: { street1, ...(street2 === undefined ? {} : { street2 }), city, state, zip, country },
        createdAt: at, updatedAt: at,
      },
      ...(request.notes === undefined ? {} : { notes: request.notes }),
      ...(outcome === undefined ? {} : { outcome }),
      history: [{ status: ORDER_LIFECYCLE.created.status, at, reason }],
    };
  }

  /** `request` has passed the spec's schema and `screen`. Refused before anything is made when the tenant holds `maxOrders`. */
  async create(tenant: string, request: CreateOrderRequest): Promise<OrderRecord> {
    const { maxOrders } = this.deps;
    if (await this.deps.store.countOrders(tenant) >= maxOrders) {
      throw limitReached('orders', maxOrders, 'POST /sandbox/reset to empty this API key (or start the sandbox with a higher --max-orders)');
    }
    const at = isoTime(this.deps.clockFor(tenant).now());
    return this.engine.create(tenant, this.newRecord(this.deps.idsFor(tenant).next('ord'), request, at, ORDER_LIFECYCLE.created.reason));
  }

  /** Places an order `placedAgoMs` in the past, cancelled `cancelledAfterMs` after placing if asked, then lets the clock catch it up. */
  async importOrder(tenant: string, request: CreateOrderRequest & { id: string }, placedAgoMs: number, cancelledAfterMs?: number): Promise<void> {
    const placedAt = this.deps.clockFor(tenant).now() - placedAgoMs;
    const record = await this.engine.create(tenant, this.newRecord(request.id, request, isoTime(placedAt), 'Created (fixture)'), false);
    if (cancelledAfterMs === undefined) {
      await this.engine.read(tenant, record.order.id);
      return;
    }
    const cancelAt = placedAt + cancelledAfterMs;
    await this.engine.mutate(tenant, record.order.id, (current, now) => (cancelAt <= now && isCancellable(current.order.status)
      ? [{ status: 'cancelled', dueAt: cancelAt, reason: 'Cancelled by the patient (fixture)' }]
      : []), cancelAt);
    await this.engine.read(tenant, record.order.id);
  }

  /** The order as the tenant's clock says it is now. */
  get(tenant: string, orderId: string): Promise<OrderRecord> {
    return this.engine.read(tenant, orderId);
  }

  cancel(tenant: string, orderId: string, reason = 'Cancelled through DELETE /orders/{orderId}'): Promise<OrderRecord> {
    return this.engine.mutate(tenant, orderId, (record, now): Array<Step<OrderStatus>> => {
      const { status } = record.order;
      if (status === 'cancelled') return [];
      if (record.frozen) throw frozen(record, 'cancel');
      if (!isCancellable(status)) {
        throw new Refusal('order_not_cancellable', `Order ${orderId} is ${status} and can no longer be cancelled`, {
          field: 'status', reason: `An order cannot be cancelled once ${status}`,
        });
      }
      return [{ status: 'cancelled', dueAt: now, reason }];
    });
  }

  /** Moves an order along the fulfilment path now: to the next status, or on to `to`. */
  advance(tenant: string, orderId: string, to?: OrderStatus): Promise<OrderRecord> {
    return this.engine.mutate(tenant, orderId, (record, now) => {
      if (record.frozen) throw frozen(record, 'advance');
      const from = FULFILMENT_PATH.indexOf(record.order.status);
      const target = to === undefined ? from + 1 : FULFILMENT_PATH.indexOf(to);
      if (from === -1 || target <= from || target >= FULFILMENT_PATH.length) {
        throw new Refusal('invalid_state_transition', `Order ${orderId} is ${record.order.status}; ${to ?? 'the next status'} is not ahead of it on ${FULFILMENT_PATH.join(' → ')}`, {
          field: 'to', reason: `Not ahead of ${record.order.status}`,
        });
      }
      return FULFILMENT_PATH.slice(from + 1, target + 1)
        .map((status) => ({ status, dueAt: now, reason: 'Advanced through POST /sandbox/orders/{orderId}/advance' }));
    });
  }

  async list(tenant: string, query: OrderListQuery) {
    await this.engine.sweep(tenant);
    return listPage('order', () => this.deps.store.listOrders(tenant, query, query));
  }
}

import type { CreateOrderRequest, Order, OrderStatus } from '../api-types.ts';
import { isoTime, type Clock } from '../clock.ts';
import { ApiError } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { UnknownCursorError, type OrderFilter, type Store } from '../store/store.ts';
import { isCancellable } from './order-lifecycle.ts';
import type { OrderRecord } from './records.ts';
import { TEST_PATIENT_IDS, TEST_PRESCRIPTION_IDS, testDataOrders } from './test-data.ts';

export interface OrderServiceDeps {
  store: Store;
  ids: IdGenerator;
  clockFor(tenant: string): Clock;
  /** Refuse patient and prescription ids the tenant does not know, as production does. */
  strictReferences: boolean;
}

export interface OrderListQuery extends OrderFilter {
  limit: number;
  after?: string;
}

function notFound(orderId: string): ApiError {
  return new ApiError('not_found', `No order with id ${orderId}`, { field: 'orderId', reason: 'Not found' });
}

/** Orders for one tenant at a time: the rules of the published contract, with no HTTP in sight. */
export class OrderService {
  constructor(private readonly deps: OrderServiceDeps) {}

  async ensureTenant(tenant: string): Promise<void> {
    await this.deps.store.ensureTenant(tenant, testDataOrders);
  }

  async reset(tenant: string): Promise<void> {
    await this.deps.store.resetTenant(tenant, testDataOrders());
  }

  /** Production's strict validation; the sandbox's default "basic" validation accepts any well-formed id. */
  assertReferencesKnown(request: CreateOrderRequest): void {
    if (!this.deps.strictReferences) return;
    if (!TEST_PATIENT_IDS.includes(request.patientId)) {
      throw new ApiError('validation_error', 'The request body is invalid', { field: 'patientId', reason: 'Patient not found' });
    }
    if (!TEST_PRESCRIPTION_IDS.includes(request.prescriptionId)) {
      throw new ApiError('validation_error', 'The request body is invalid', { field: 'prescriptionId', reason: 'Prescription not found' });
    }
  }

  /** `request` has passed the spec's schema and `assertReferencesKnown`. */
  async create(tenant: string, request: CreateOrderRequest): Promise<OrderRecord> {
    const now = isoTime(this.deps.clockFor(tenant).now());
    const { street1, street2, city, state, zip, country = 'US' } = request.shippingAddress;
    const order: Order = {
      id: this.deps.ids.next('ord'),
      patientId: request.patientId,
      prescriptionId: request.prescriptionId,
      status: 'pending',
      shippingAddress: { street1, ...(street2 === undefined ? {} : { street2 }), city, state, zip, country },
      createdAt: now,
      updatedAt: now,
    };
    const record: OrderRecord = {
      order,
      ...(request.notes === undefined ? {} : { notes: request.notes }),
      history: [{ status: 'pending', at: now, reason: 'Created' }],
    };
    await this.deps.store.saveOrder(tenant, record);
    return record;
  }

  async get(tenant: string, orderId: string): Promise<OrderRecord> {
    const record = await this.deps.store.getOrder(tenant, orderId);
    if (record === undefined) throw notFound(orderId);
    return record;
  }

  async cancel(tenant: string, orderId: string, reason = 'Cancelled by the API client'): Promise<OrderRecord> {
    const record = await this.get(tenant, orderId);
    const { status } = record.order;
    if (status === 'cancelled') return record;
    if (!isCancellable(status)) {
      throw new ApiError('order_not_cancellable', `Order ${orderId} is ${status} and can no longer be cancelled`, {
        field: 'status', reason: `An order cannot be cancelled once ${status}`,
      });
    }
    return this.moveTo(tenant, record, 'cancelled', reason);
  }

  async list(tenant: string, query: OrderListQuery) {
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

  private async moveTo(tenant: string, record: OrderRecord, status: OrderStatus, reason: string): Promise<OrderRecord> {
    const at = isoTime(this.deps.clockFor(tenant).now());
    const next: OrderRecord = {
      ...record,
      order: { ...record.order, status, updatedAt: at },
      history: [...record.history, { status, at, reason }],
    };
    await this.deps.store.saveOrder(tenant, next);
    return next;
  }
}

import type { RefillStatus } from '../api-types.ts';
import type { components } from '../generated/openapi.ts';
import type { OrderRecord, RefillRecord, StatusChange } from '../domain/records.ts';

export type WebhookEventType = components['schemas']['WebhookEventType'];
export type WebhookEvent = components['schemas']['WebhookEvent'];

export interface EventContent {
  type: WebhookEventType;
  data: WebhookEvent['data'];
}

/** What an endpoint receives when it lists no events: the published ones. */
export const PUBLISHED_EVENT_TYPES: readonly WebhookEventType[] = ['order.created', 'order.fulfilled', 'refill.ready'];

/** The event an order's status change publishes. */
export function orderEvent(record: OrderRecord, change: StatusChange): EventContent {
  const { order } = record;
  switch (change.status) {
    case 'pending':
      return {
        type: 'order.created',
        data: { orderId: order.id, patientId: order.patientId, prescriptionId: order.prescriptionId, status: order.status },
      };
    case 'shipped':
      return {
        type: 'order.fulfilled',
        // Set at shipping; if ever missing, the spec check before sending catches it.
        data: { orderId: order.id, trackingNumber: order.trackingNumber as string, estimatedDeliveryDate: order.estimatedDeliveryDate as string, status: order.status },
      };
    default:
      return { type: `order.${change.status}`, data: { orderId: order.id, status: order.status } };
  }
}

/** The event a refill's status change publishes, if any (a new refill publishes none). */
export function refillEvent(record: RefillRecord, change: StatusChange<RefillStatus>): EventContent | undefined {
  const { refill } = record;
  const data = { refillId: refill.id, prescriptionId: refill.prescriptionId, status: refill.status };
  switch (change.status) {
    case 'pending': return undefined;
    case 'approved': return { type: 'refill.ready', data };
    default: return { type: `refill.${change.status}`, data };
  }
}

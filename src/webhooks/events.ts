import type { components } from '../generated/openapi.ts';
import type { OrderRecord, StatusChange } from '../domain/records.ts';

export type WebhookEventType = components['schemas']['WebhookEventType'];
export type WebhookEvent = components['schemas']['WebhookEvent'];

/** What an endpoint receives when it lists no events: the published ones. */
export const PUBLISHED_EVENT_TYPES: readonly WebhookEventType[] = ['order.created', 'order.fulfilled'];

/** The event a status change publishes, if any. */
export function eventTypeFor(change: StatusChange): WebhookEventType {
  switch (change.status) {
    case 'pending': return 'order.created';
    case 'shipped': return 'order.fulfilled';
    default: return `order.${change.status}`;
  }
}

export function eventData(type: WebhookEventType, record: OrderRecord): WebhookEvent['data'] {
  const { order } = record;
  switch (type) {
    case 'order.created':
      return { orderId: order.id, patientId: order.patientId, prescriptionId: order.prescriptionId, status: order.status };
    case 'order.fulfilled':
      return {
        orderId: order.id,
        // Set at shipping; if ever missing, the spec check before sending catches it.
        trackingNumber: order.trackingNumber as string,
        estimatedDeliveryDate: order.estimatedDeliveryDate as string,
        status: order.status,
      };
    default:
      return { orderId: order.id, status: order.status };
  }
}

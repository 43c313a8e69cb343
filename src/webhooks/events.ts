import type { Order, Refill, WebhookEvent, WebhookEventType } from '../api-types.ts';

export type { WebhookEvent, WebhookEventType };

export interface EventContent {
  type: WebhookEventType;
  data: WebhookEvent['data'];
}

/** What an endpoint receives when it lists no events: the published ones. */
export const PUBLISHED_EVENT_TYPES: readonly WebhookEventType[] = ['order.created', 'order.fulfilled', 'refill.ready'];

function isOrder(resource: Order | Refill): resource is Order {
  return 'shippingAddress' in resource;
}

/** The data an event of `type` carries about an order or refill, as the spec's event schemas give it. */
export function eventContent(type: WebhookEventType, resource: Order | Refill): EventContent {
  if (!isOrder(resource)) {
    return { type, data: { refillId: resource.id, prescriptionId: resource.prescriptionId, status: resource.status } };
  }
  switch (type) {
    case 'order.created':
      return { type, data: { orderId: resource.id, patientId: resource.patientId, prescriptionId: resource.prescriptionId, status: resource.status } };
    case 'order.fulfilled':
      // Set at shipping; if ever missing, the spec check before sending catches it.
      return { type, data: { orderId: resource.id, trackingNumber: resource.trackingNumber as string, estimatedDeliveryDate: resource.estimatedDeliveryDate as string, status: resource.status } };
    default:
      return { type, data: { orderId: resource.id, status: resource.status } } as EventContent;
  }
}

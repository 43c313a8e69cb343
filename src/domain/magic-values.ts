import type { CreateOrderRequest } from '../api-types.ts';

/** How a magic order plays out after it is accepted. */
export type OrderOutcome = 'held' | 'unfillable';

export interface MagicRefusal {
  field: 'patientId' | 'prescriptionId' | 'shippingAddress.zip' | 'shippingAddress.state';
  value: string;
  reason: string;
}

/** Values that make the sandbox refuse an order (422 `validation_error`), like Stripe's test cards. */
export const ORDER_REFUSALS: readonly MagicRefusal[] = [
  { field: 'patientId', value: 'pat_test_not_found', reason: 'Patient not found' },
  { field: 'prescriptionId', value: 'rx_test_not_found', reason: 'Prescription not found' },
  { field: 'prescriptionId', value: 'rx_test_expired', reason: 'Prescription has expired' },
  { field: 'prescriptionId', value: 'rx_test_no_refills', reason: 'No refills remaining on this prescription' },
  { field: 'prescriptionId', value: 'rx_test_controlled', reason: 'Controlled substances cannot be shipped to this address' },
  { field: 'shippingAddress.zip', value: '00000', reason: 'Address is undeliverable' },
  { field: 'shippingAddress.state', value: 'AA', reason: 'The pharmacy is not licensed to ship to this state' },
];

/** Prescriptions whose orders are accepted and then take an unusual course. */
export const ORDER_OUTCOMES: Readonly<Record<string, { outcome: OrderOutcome; description: string }>> = {
  rx_test_hold: { outcome: 'held', description: 'Held in processing for pharmacist review: never ships on its own' },
  rx_test_unfillable: { outcome: 'unfillable', description: 'The pharmacy cannot fill it and cancels it when it would have shipped' },
};

function fieldValue(request: CreateOrderRequest, field: MagicRefusal['field']): string | undefined {
  switch (field) {
    case 'patientId': return request.patientId;
    case 'prescriptionId': return request.prescriptionId;
    case 'shippingAddress.zip': return request.shippingAddress.zip;
    case 'shippingAddress.state': return request.shippingAddress.state;
  }
}

export function magicRefusal(request: CreateOrderRequest): MagicRefusal | undefined {
  return ORDER_REFUSALS.find((refusal) => fieldValue(request, refusal.field) === refusal.value);
}

export function magicOutcome(prescriptionId: string): OrderOutcome | undefined {
  return ORDER_OUTCOMES[prescriptionId]?.outcome;
}

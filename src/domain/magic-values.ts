import type { CreateOrderRequest } from '../api-types.ts';
import type { RefillOutcome } from './records.ts';

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

/** Prescriptions that make `POST /refills` refuse: 422 `refill_not_eligible` (or `validation_error` where noted). */
export const REFILL_REFUSALS: Readonly<Record<string, { code: 'refill_not_eligible' | 'validation_error'; reason: string; nextEligibleInDays: number | null }>> = {
  rx_test_not_found: { code: 'validation_error', reason: 'Prescription not found', nextEligibleInDays: null },
  rx_test_expired: { code: 'refill_not_eligible', reason: 'Prescription has expired', nextEligibleInDays: null },
  rx_test_too_soon: { code: 'refill_not_eligible', reason: 'Too early to refill', nextEligibleInDays: 7 },
  rx_test_no_refills: { code: 'refill_not_eligible', reason: 'No refills remaining', nextEligibleInDays: null },
  rx_test_insurance: { code: 'refill_not_eligible', reason: 'Insurance does not cover this refill', nextEligibleInDays: null },
};

/** Prescriptions whose refills are accepted and then wait for a pharmacist. */
export const REFILL_OUTCOMES: Readonly<Record<string, { outcome: RefillOutcome; description: string }>> = {
  rx_test_review: { outcome: 'review', description: 'Pending for manual review for 48 h, then approved' },
  rx_test_denied: { outcome: 'denied', description: 'Pending for manual review, then cancelled by the pharmacist after 24 h' },
};

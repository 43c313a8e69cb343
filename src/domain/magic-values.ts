import type { CreateOrderRequest } from '../api-types.ts';
import { isRefusal, orderMagicValues, refillMagicValues, type MagicValue } from '../spec-extensions.ts';
import type { RefillOutcome } from './records.ts';

// The tables below are derived from the spec's `x-nimbus-magic-values` (see spec-extensions.ts);
// these checks refuse, at load, entries the domain cannot play out.

const ORDER_OUTCOME_NAMES = ['held', 'unfillable'] as const;
const REFILL_OUTCOME_NAMES = ['review', 'denied'] as const satisfies readonly RefillOutcome[];
const ORDER_FIELDS = ['patientId', 'prescriptionId', 'shippingAddress.zip', 'shippingAddress.state'] as const;

/** How a magic order plays out after it is accepted. */
export type OrderOutcome = (typeof ORDER_OUTCOME_NAMES)[number];

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`spec: ${what} ${value} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function outcomesOf<T extends string>(values: readonly MagicValue[], allowed: readonly T[], what: string) {
  return Object.fromEntries(values.filter((magic) => !isRefusal(magic)).map((magic) => {
    oneOf(['prescriptionId'], magic.field, `${what} outcome field`);
    return [magic.value, { outcome: oneOf(allowed, magic.outcome, `${what} outcome`), description: magic.description }];
  }));
}

export interface MagicRefusal {
  field: 'patientId' | 'prescriptionId' | 'shippingAddress.zip' | 'shippingAddress.state';
  value: string;
  reason: string;
}

/** Values that make the sandbox refuse an order (422 `validation_error`), like Stripe's test cards. */
export const ORDER_REFUSALS: readonly MagicRefusal[] = orderMagicValues.filter(isRefusal).map(({ field, value, code, reason }) => {
  oneOf(['validation_error'], code, 'order refusal code');
  return { field: oneOf(ORDER_FIELDS, field, 'order refusal field'), value, reason };
});

/** Prescriptions whose orders are accepted and then take an unusual course. */
export const ORDER_OUTCOMES: Readonly<Record<string, { outcome: OrderOutcome; description: string }>> =
  outcomesOf(orderMagicValues, ORDER_OUTCOME_NAMES, 'order');

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

/** Patients that make `POST /refills` refuse with 422 `validation_error`, decided from the request alone. */
export const REFILL_PATIENT_REFUSALS: Readonly<Record<string, string>> =
  Object.fromEntries(refillMagicValues.filter(isRefusal).filter((magic) => magic.field === 'patientId').map(({ value, code, reason }) => {
    oneOf(['validation_error'], code, 'refill patient refusal code');
    return [value, reason];
  }));

/** Prescriptions that make `POST /refills` refuse: 422 `refill_not_eligible` (or `validation_error` where noted). */
export const REFILL_REFUSALS: Readonly<Record<string, { code: 'refill_not_eligible' | 'validation_error'; reason: string; nextEligibleInDays: number | null }>> =
  Object.fromEntries(refillMagicValues.filter(isRefusal).filter((magic) => oneOf(['prescriptionId', 'patientId'], magic.field, 'refill refusal field') === 'prescriptionId')
    .map(({ value, code, reason, nextEligibleInDays }) => [value, {
      code: oneOf(['refill_not_eligible', 'validation_error'] as const, code, 'refill refusal code'), reason, nextEligibleInDays: nextEligibleInDays ?? null,
    }]));

/** Prescriptions whose refills are accepted and then wait for a pharmacist. */
export const REFILL_OUTCOMES: Readonly<Record<string, { outcome: RefillOutcome; description: string }>> =
  outcomesOf(refillMagicValues, REFILL_OUTCOME_NAMES, 'refill');

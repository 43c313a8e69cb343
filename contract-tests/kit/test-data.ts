import { operation } from './spec.ts';

/** The test data every Nimbus sandbox account has, as Nimbus publishes it. */
export const PUBLISHED_PATIENT_IDS = ['pat_1234567890', 'pat_test_001', 'pat_test_002'] as const;
export const PUBLISHED_PRESCRIPTION_IDS = ['rx_9876543210', 'rx_test_001', 'rx_test_002'] as const;
export const PUBLISHED_ORDER_ID = 'ord_1234567890';

/** The published order as the spec shows it (getOrder's `processing` example). */
export function publishedOrder(): Record<string, unknown> {
  const example = operation('getOrder').spec.responses['200'] as {
    content: { 'application/json': { examples: Record<string, { value: Record<string, unknown> }> } };
  };
  const value = example.content['application/json'].examples.processing?.value;
  if (value?.id !== PUBLISHED_ORDER_ID) throw new Error(`spec: getOrder's processing example is not ${PUBLISHED_ORDER_ID}`);
  return structuredClone(value);
}

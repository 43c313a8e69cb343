import { TEST_PRESCRIPTIONS } from './prescriptions.ts';
import type { OrderRecord } from './records.ts';

/** The test data every Nimbus sandbox account has, exactly as published. */
export const TEST_PATIENT_IDS: readonly string[] = ['pat_1234567890', 'pat_test_001', 'pat_test_002'];
export const TEST_PRESCRIPTION_IDS: readonly string[] = Object.keys(TEST_PRESCRIPTIONS);
export const TEST_ORDER_ID = 'ord_1234567890';
/** When the published test data last changed; sandbox time may not start before it. */
export const TEST_DATA_TIME = '2025-01-15T16:30:00Z';

export function testDataOrders(): OrderRecord[] {
  return [{
    version: 1,
    order: {
      id: TEST_ORDER_ID,
      patientId: 'pat_1234567890',
      prescriptionId: 'rx_9876543210',
      status: 'processing',
      shippingAddress: { street1: '123 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      createdAt: '2025-01-15T15:00:00Z',
      updatedAt: TEST_DATA_TIME,
    },
    history: [
      { status: 'pending', at: '2025-01-15T15:00:00Z', reason: 'Created (published test data)' },
      { status: 'processing', at: TEST_DATA_TIME, reason: 'Published test data; this order never moves' },
    ],
    frozen: true,
  }];
}

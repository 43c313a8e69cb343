import { defineCheck } from '../kit/check.ts';
import { orderOf } from '../kit/client.ts';
import { expectEqual, expectStatus } from '../kit/expect.ts';
import { guideOrder } from '../kit/steps.ts';
import { PUBLISHED_ORDER_ID, PUBLISHED_PATIENT_IDS, PUBLISHED_PRESCRIPTION_IDS, publishedOrder } from '../kit/test-data.ts';

export const publishedOrderIsProcessing = defineCheck(
  'test-data/published-order-is-processing',
  `Every key can read the published order ${PUBLISHED_ORDER_ID}: status processing, for the published patient and prescription`,
  async ({ client }) => {
    const read = await client().getOrder(PUBLISHED_ORDER_ID);
    expectStatus(read, 200, `reading the published order ${PUBLISHED_ORDER_ID}`);
    const { id, status, patientId, prescriptionId } = orderOf(read);
    const published = publishedOrder();
    expectEqual({ id, status, patientId, prescriptionId },
      { id: published.id, status: published.status, patientId: published.patientId, prescriptionId: published.prescriptionId },
      'the published order', read);
  },
);

export const publishedIdsAreAccepted = defineCheck(
  'test-data/published-patients-and-prescriptions-are-accepted',
  `Orders for every published patient (${PUBLISHED_PATIENT_IDS.join(', ')}) with every published prescription (${PUBLISHED_PRESCRIPTION_IDS.join(', ')}) are created`,
  async ({ client }) => {
    const api = client();
    for (const patientId of PUBLISHED_PATIENT_IDS) {
      for (const prescriptionId of PUBLISHED_PRESCRIPTION_IDS) {
        expectStatus(await api.createOrder({ ...guideOrder(), patientId, prescriptionId }), 201, `creating an order for ${patientId} and ${prescriptionId}`);
      }
    }
  },
);

import { defineCheck } from '../kit/check.ts';
import { errorOf, refillOf, type Refill } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { freshIdempotencyKey } from '../kit/keys.ts';
import { magicValues, operation } from '../kit/spec.ts';

type RefillRequest = { prescriptionId: string; patientId: string; requestedQuantity?: number };

/** createRefill's published example request. */
function exampleRefill(): RefillRequest {
  const example = operation('createRefill').spec.requestBody?.content['application/json'] as { example?: RefillRequest } | undefined;
  if (example?.example === undefined) throw new Error('spec: createRefill has no request example');
  return structuredClone(example.example);
}

const withoutQuantity = (): RefillRequest => {
  const { prescriptionId, patientId } = exampleRefill();
  return { prescriptionId, patientId };
};

/**
 * A refill the target refuses as not eligible: the first `prescriptionId` magic value that
 * CreateRefillRequest's `x-nimbus-magic-values` documents as `refill_not_eligible` (`rx_test_expired`),
 * otherwise a requestedQuantity far above any prescription's quantity.
 */
function ineligibleRefill(): { body: RefillRequest; how: string } {
  const magic = magicValues('CreateRefillRequest').find(({ field, code }) => field === 'prescriptionId' && code === 'refill_not_eligible');
  if (magic !== undefined) return { body: { ...withoutQuantity(), prescriptionId: magic.value }, how: `the documented magic prescription ${magic.value}` };
  return { body: { ...withoutQuantity(), requestedQuantity: 10_000 }, how: 'requestedQuantity 10000' };
}

/** Refill windows are per tenant: a second refill of one prescription soon after the first is refused, so each check needs its own. */
const OWN_TENANT = 'a refill uses up its prescription\'s refill window';

export const createAnswers201WithPendingRefill = defineCheck(
  'refills/create-answers-201-with-a-pending-refill-for-the-request',
  'POST /refills answers 201 with a Refill (ref_…) that is pending and carries the request\'s prescription, patient and requestedQuantity',
  async ({ isolatedClient, require }) => {
    require('refills');
    const request = exampleRefill();
    const created = await isolatedClient(OWN_TENANT).createRefill(request);
    expectStatus(created, 201, 'requesting the spec\'s example refill');
    const { status, prescriptionId, patientId, requestedQuantity } = refillOf(created);
    expectEqual({ status, prescriptionId, patientId, requestedQuantity }, { status: 'pending', ...request }, 'the new refill', created);
  },
);

export const requestedQuantityDefaults = defineCheck(
  'refills/requested-quantity-defaults-to-the-prescriptions-quantity',
  'A refill without requestedQuantity asks for the prescription\'s whole quantity: another tenant asking for one more is refused with 422 refill_not_eligible',
  async ({ isolatedClient, require }) => {
    require('refills');
    const defaulted = await isolatedClient(OWN_TENANT).createRefill(withoutQuantity());
    expectStatus(defaulted, 201, 'requesting a refill without requestedQuantity');
    const quantity = refillOf(defaulted).requestedQuantity;
    const more = await isolatedClient(OWN_TENANT).createRefill({ ...withoutQuantity(), requestedQuantity: quantity + 1 });
    expectError(more, 422, 'refill_not_eligible', `requesting ${quantity + 1}, one more than the defaulted requestedQuantity ${quantity}`, defaulted);
  },
);

export const replayIsByteIdentical = defineCheck(
  'refills/replay-returns-the-first-answer-byte-for-byte',
  'POST /refills again with the same Idempotency-Key and body answers the same 201 with a byte-identical body, marked Idempotent-Replayed: true',
  async ({ isolatedClient, require }) => {
    require('refills');
    const api = isolatedClient(OWN_TENANT);
    const key = freshIdempotencyKey();
    const first = await api.createRefill(exampleRefill(), key);
    expectStatus(first, 201, 'requesting a refill with an Idempotency-Key');
    const replay = await api.createRefill(exampleRefill(), key);
    expectStatus(replay, 201, 'sending it again with the same key', first);
    ensure(replay.text === first.text, 'the replayed body differs from the first', first, replay);
    expectEqual(replay.headers.get('idempotent-replayed'), 'true', 'Idempotent-Replayed of the replay', first, replay);
  },
);

export const ineligibleRefillIs422 = defineCheck(
  'refills/ineligible-refill-is-422-refill-not-eligible-with-reason-and-next-date',
  'A refill that is not eligible is refused with 422 refill_not_eligible whose details carry a reason and nextEligibleDate (a date, or null when waiting will not help)',
  async ({ client, require }) => {
    require('refills');
    const { body, how } = ineligibleRefill();
    const refused = await client().createRefill(body);
    expectError(refused, 422, 'refill_not_eligible', `requesting a refill with ${how}`);
    const details = errorOf(refused)?.details;
    ensure(typeof details?.reason === 'string' && details.reason !== '', 'refill_not_eligible without details.reason', refused);
    ensure(details !== undefined && 'nextEligibleDate' in details, 'refill_not_eligible without details.nextEligibleDate', refused);
  },
);

export const zeroQuantityIs422 = defineCheck(
  'refills/zero-quantity-is-422-naming-requested-quantity',
  'A refill with requestedQuantity 0 is refused with 422 validation_error whose details.field is requestedQuantity',
  async ({ client, require }) => {
    require('refills');
    const refused = await client().createRefill({ ...exampleRefill(), requestedQuantity: 0 });
    expectError(refused, 422, 'validation_error', 'requesting a refill of 0');
    expectEqual(errorOf(refused)?.details?.field, 'requestedQuantity', 'details.field', refused);
  },
);

export const refillsAreInvisibleToOtherKeys = defineCheck(
  'refills/refills-are-invisible-to-other-api-keys',
  'GET /refills/{refillId} (planned) serves the key\'s own refill as created, and answers 404 not_found to another key',
  async ({ isolatedClient, require }) => {
    require('refills');
    require('refillRead');
    const api = isolatedClient(OWN_TENANT);
    const created = await api.createRefill(exampleRefill());
    expectStatus(created, 201, 'requesting a refill');
    const refill: Refill = refillOf(created);
    const own = await api.getRefill(refill.id);
    expectStatus(own, 200, 'reading the new refill', created);
    expectEqual(refillOf(own).id, refill.id, 'the refill read back', created, own);
    expectError(await isolatedClient('a second tenant').getRefill(refill.id), 404, 'not_found', 'another API key reading the refill', created);
  },
);

import { defineCheck } from '../kit/check.ts';
import { errorOf, refillOf, type Refill } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { freshIdempotencyKey } from '../kit/keys.ts';
import { magicValues } from '../kit/spec.ts';
import { exampleRefill, type RefillRequest } from '../kit/steps.ts';

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

const REFILL_PATH: ReadonlyArray<Refill['status']> = ['pending', 'approved', 'processing', 'shipped'];
const DAY_S = 24 * 60 * 60;

export const refillIsApprovedWithinADay = defineCheck(
  'refills/a-refill-is-approved-within-a-day-with-its-quantity-and-ship-date',
  'A new refill is pending with approvedQuantity and estimatedShipDate null; a day later on the target\'s clock it is approved (or further along) '
    + 'with an approvedQuantity from 1 to requestedQuantity and an estimatedShipDate not before it was created; five days on it has not gone back, '
    + 'and createdAt and approvedQuantity are unchanged',
  async ({ isolatedClient, require }) => {
    require('refills');
    require('refillRead');
    require('sandboxClock');
    const api = isolatedClient('it moves its clock');
    const created = await api.createRefill(exampleRefill());
    expectStatus(created, 201, 'requesting the spec\'s example refill');
    const refill = refillOf(created);
    expectEqual({ status: refill.status, approvedQuantity: refill.approvedQuantity, estimatedShipDate: refill.estimatedShipDate },
      { status: 'pending', approvedQuantity: null, estimatedShipDate: null }, 'a new refill', created);
    const aDay = await api.advanceClock(DAY_S);
    expectStatus(aDay, 200, 'advancing the clock a day', created);
    const approvedRead = await api.getRefill(refill.id);
    expectStatus(approvedRead, 200, 'reading the refill a day later', created, aDay);
    const approved = refillOf(approvedRead);
    const steps = [created, aDay, approvedRead];
    ensure(REFILL_PATH.indexOf(approved.status) >= REFILL_PATH.indexOf('approved'), `a day after it was requested the refill is ${approved.status}, not approved`, ...steps);
    ensure(Number.isInteger(approved.approvedQuantity) && approved.approvedQuantity! >= 1 && approved.approvedQuantity! <= refill.requestedQuantity,
      `an ${approved.status} refill has approvedQuantity ${approved.approvedQuantity}, not 1 to its requestedQuantity ${refill.requestedQuantity}`, ...steps);
    ensure(typeof approved.estimatedShipDate === 'string' && approved.estimatedShipDate >= refill.createdAt.slice(0, 10),
      `an ${approved.status} refill has estimatedShipDate ${approved.estimatedShipDate}, not a date on or after it was created (${refill.createdAt})`, ...steps);
    const later = await api.advanceClock(5 * DAY_S);
    expectStatus(later, 200, 'advancing the clock five more days', ...steps);
    const lastRead = await api.getRefill(refill.id);
    const last = refillOf(lastRead);
    ensure(REFILL_PATH.indexOf(last.status) >= REFILL_PATH.indexOf(approved.status), `the refill went from ${approved.status} to ${last.status}`, ...steps, later, lastRead);
    expectEqual({ createdAt: last.createdAt, approvedQuantity: last.approvedQuantity }, { createdAt: refill.createdAt, approvedQuantity: approved.approvedQuantity },
      'createdAt and approvedQuantity five days on', ...steps, later, lastRead);
  },
);

/** The prescription CreateRefillRequest's `x-nimbus-magic-values` gives this pharmacy-side outcome. */
const outcomePrescription = (outcome: string) => magicValues('CreateRefillRequest').find((magic) => magic.field === 'prescriptionId' && magic.outcome === outcome);

export const reviewedAndDeniedRefills = defineCheck(
  'refills/refills-under-review-or-denied-end-as-documented',
  'Refills for the prescriptions the spec documents with outcome review and denied (x-nimbus-magic-values): a day on the target\'s clock, when an ordinary refill '
    + 'is approved, the one under review is still pending; five days on it is approved (or further) and the denied one cancelled without approvedQuantity',
  async ({ isolatedClient, require, skip }) => {
    require('refills');
    require('refillRead');
    require('sandboxClock');
    const review = outcomePrescription('review');
    const denied = outcomePrescription('denied');
    if (review === undefined || denied === undefined) return skip('the spec documents no prescription with outcome review or denied');
    const api = isolatedClient('it moves its clock');
    const reviewed = await api.createRefill({ ...withoutQuantity(), prescriptionId: review.value });
    expectStatus(reviewed, 201, `requesting a refill of ${review.value}`);
    const refused = await api.createRefill({ ...withoutQuantity(), prescriptionId: denied.value });
    expectStatus(refused, 201, `requesting a refill of ${denied.value}`, reviewed);
    const aDay = await api.advanceClock(DAY_S);
    expectStatus(aDay, 200, 'advancing the clock a day', reviewed, refused);
    const waiting = await api.getRefill(refillOf(reviewed).id);
    expectEqual(refillOf(waiting).status, 'pending', `the refill of ${review.value} (${review.description}) a day later`, reviewed, refused, aDay, waiting);
    const later = await api.advanceClock(4 * DAY_S);
    expectStatus(later, 200, 'advancing the clock four more days', reviewed, refused, aDay);
    const steps = [reviewed, refused, aDay, later];
    const approved = await api.getRefill(refillOf(reviewed).id);
    ensure(REFILL_PATH.indexOf(refillOf(approved).status) >= REFILL_PATH.indexOf('approved'),
      `the refill of ${review.value} (${review.description}) is ${refillOf(approved).status} five days on`, ...steps, approved);
    const cancelled = await api.getRefill(refillOf(refused).id);
    expectEqual({ status: refillOf(cancelled).status, approvedQuantity: refillOf(cancelled).approvedQuantity }, { status: 'cancelled', approvedQuantity: null },
      `the refill of ${denied.value} (${denied.description}) five days on`, ...steps, cancelled);
  },
);

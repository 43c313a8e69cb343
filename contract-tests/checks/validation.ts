import fc from 'fast-check';
import { corruptionsOf, failingFields, validCreateOrderBody } from '../kit/arbitraries.ts';
import { defineCheck } from '../kit/check.ts';
import { errorOf } from '../kit/client.ts';
import { expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { checkProperty } from '../kit/property.ts';

const VALID_BODY_RUNS = 20;
/** Each way of breaking each field is tried this many times, with different bodies and values. */
const RUNS_PER_CORRUPTION = 2;

export const validBodiesAreAccepted = defineCheck(
  'validation/generated-valid-bodies-are-accepted',
  'Any body CreateOrderRequest allows (optional members present or not, country defaulted) is accepted with 201',
  async ({ client, target }) => {
    const api = client();
    await checkProperty(target, fc.asyncProperty(validCreateOrderBody, async (body) => {
      const failing = failingFields('CreateOrderRequest', body);
      if (failing.size > 0) throw new Error(`kit defect: generated an invalid body (${[...failing].join(', ')}): ${JSON.stringify(body)}`);
      expectStatus(await api.createOrder(body), 201, 'creating an order from a body the spec accepts');
    }), VALID_BODY_RUNS);
  },
);

export const corruptionsAreRefusedNamingTheField = defineCheck(
  'validation/single-field-corruptions-are-422-naming-the-field',
  'A body with exactly one field breaking its rule (missing, wrong type, too short or long, off-pattern, unknown) is refused with 422 validation_error whose details.field is that field',
  async ({ client, target }) => {
    const api = client();
    for (const corruptions of corruptionsOf('CreateOrderRequest')) {
      await checkProperty(target, fc.asyncProperty(validCreateOrderBody, corruptions, async (body, corruption) => {
        const corrupted = corruption.corrupt(body);
        // Only a body the spec's own schema finds invalid in that one field may be asserted on.
        const failing = failingFields('CreateOrderRequest', corrupted);
        fc.pre(failing.size === 1 && failing.has(corruption.field));
        const refused = await api.createOrder(corrupted);
        const why = `creating an order whose ${corruption.field} is ${corruption.breach}`;
        expectError(refused, 422, 'validation_error', why);
        expectEqual(errorOf(refused)?.details?.field, corruption.field, `details.field when ${why}`, refused);
      }), RUNS_PER_CORRUPTION);
    }
  },
);

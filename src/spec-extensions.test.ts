import { describe, expect, it } from 'vitest';
import { ORDER_OUTCOMES, ORDER_REFUSALS, REFILL_OUTCOMES, REFILL_REFUSALS } from './domain/magic-values.ts';
import { ERROR_STATUS } from './http/errors.ts';
import spec from './generated/spec.json' with { type: 'json' };
import { errorStatuses, faultSpec, orderMagicValues, readSpecExtensions, refillMagicValues } from './spec-extensions.ts';
import { FAULT_HEADER, FAULT_KINDS } from './http/faults.ts';

type Json = Record<string, any>;

/** A copy of the spec document to change. */
const copy = (): Json => structuredClone(spec) as Json;

describe('ERROR_STATUS', () => {
  it('is ErrorCode\'s x-nimbus-statuses, with a status for every enum value', () => {
    const errorCode = spec.components.schemas.ErrorCode;
    expect(ERROR_STATUS).toBe(errorStatuses);
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...errorCode.enum].sort());
    expect(ERROR_STATUS).toEqual(errorCode['x-nimbus-statuses']);
  });

  it('gives the code of every error example the spec documents the status it is documented under', () => {
    const resolve = (node: Json): Json => (typeof node.$ref === 'string'
      ? resolve(node.$ref.replace(/^#\//, '').split('/').reduce((at: Json, part: string) => at[part], spec as Json))
      : node);
    const seen: Array<[string, number, string]> = [];
    for (const [path, item] of Object.entries(spec.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        for (const [status, raw] of Object.entries((operation as Json).responses ?? {})) {
          if (Number(status) < 400) continue;
          const content = resolve(raw as Json).content?.['application/json'] ?? {};
          const examples = [content.example, ...Object.values(content.examples ?? {}).map((example: any) => example.value)];
          for (const example of examples) {
            const code = example?.error?.code;
            if (code !== undefined) seen.push([`${method.toUpperCase()} ${path}`, Number(status), code]);
          }
        }
      }
    }
    expect(seen.length).toBeGreaterThan(10);
    for (const [where, status, code] of seen) {
      expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], `${where} ${status} ${code}`).toBe(status);
    }
  });
});

describe('readSpecExtensions', () => {
  it('derives the tables from the document it is given', () => {
    const changed = copy();
    changed.components.schemas.ErrorCode['x-nimbus-statuses'].service_unavailable = 502;
    changed.components.schemas.CreateOrderRequest['x-nimbus-magic-values'].push(
      { field: 'patientId', value: 'pat_test_new', status: 422, code: 'validation_error', reason: 'New', description: 'New' },
    );
    const extensions = readSpecExtensions(changed);
    expect(extensions.errorStatuses.service_unavailable).toBe(502);
    expect(extensions.orderMagicValues.at(-1)).toMatchObject({ value: 'pat_test_new', reason: 'New' });
    expect(readSpecExtensions(copy())).toEqual({ errorStatuses, orderMagicValues, refillMagicValues, faults: faultSpec });
  });

  it.each([
    ['an enum value without a status', (d: Json) => { delete d.components.schemas.ErrorCode['x-nimbus-statuses'].forbidden; }, /forbidden/],
    ['a status for a code outside the enum', (d: Json) => { d.components.schemas.ErrorCode['x-nimbus-statuses'].teapot = 418; }, /teapot/],
    ['a status that is not an error status', (d: Json) => { d.components.schemas.ErrorCode['x-nimbus-statuses'].not_found = 200; }, /not_found/],
    ['a refusal whose status is not its code\'s', (d: Json) => { d.components.schemas.CreateOrderRequest['x-nimbus-magic-values'][0].status = 400; }, /validation_error's 422/],
    ['a refusal with an unknown code', (d: Json) => { d.components.schemas.CreateRefillRequest['x-nimbus-magic-values'][0].code = 'nope'; }, /code from ErrorCode/],
    ['a refusal without a reason', (d: Json) => { delete d.components.schemas.CreateOrderRequest['x-nimbus-magic-values'][0].reason; }, /reason/],
    ['an accepted value without an outcome', (d: Json) => { delete d.components.schemas.CreateRefillRequest['x-nimbus-magic-values'].at(-1).outcome; }, /outcome/],
    ['an accepted value with a code', (d: Json) => { d.components.schemas.CreateOrderRequest['x-nimbus-magic-values'].at(-1).code = 'validation_error'; }, /cannot have code/],
    ['a repeated value', (d: Json) => { const list = d.components.schemas.CreateOrderRequest['x-nimbus-magic-values']; list.push(list[0]); }, /repeats/],
    ['no list', (d: Json) => { delete d.components.schemas.CreateRefillRequest['x-nimbus-magic-values']; }, /CreateRefillRequest/],
    ['a fault code for no fault kind', (d: Json) => { d.components.schemas.FaultKind['x-nimbus-codes']['418'] = 'internal_error'; }, /names 418/],
    ['a fault code outside ErrorCode', (d: Json) => { d.components.schemas.FaultKind['x-nimbus-codes']['500'] = 'oops'; }, /gives 500 no code/],
    ['no fault header', (d: Json) => { delete d.components.schemas.FaultKind['x-nimbus-header']; }, /x-nimbus-header/],
  ])('refuses %s', (_, change, message) => {
    const changed = copy();
    change(changed);
    expect(() => readSpecExtensions(changed)).toThrow(message);
  });
});

describe('the fault kinds', () => {
  it('are FaultKind\'s, asked for with its header', () => {
    expect(FAULT_KINDS).toEqual(spec.components.schemas.FaultKind.enum);
    expect(FAULT_HEADER).toBe(spec.components.schemas.FaultKind['x-nimbus-header']);
  });
});

describe('the magic-value tables', () => {
  it('hold exactly the spec\'s order magic values', () => {
    expect(ORDER_REFUSALS).toEqual(orderMagicValues.filter((magic) => magic.status !== 201).map(({ field, value, reason }) => ({ field, value, reason })));
    expect(Object.keys(ORDER_OUTCOMES)).toEqual(orderMagicValues.filter((magic) => magic.status === 201).map((magic) => magic.value));
  });

  it('hold the spec\'s refill magic values on prescriptionId', () => {
    const onPrescription = refillMagicValues.filter((magic) => magic.field === 'prescriptionId');
    expect(Object.keys(REFILL_REFUSALS)).toEqual(onPrescription.filter((magic) => magic.status !== 201).map((magic) => magic.value));
    expect(Object.keys(REFILL_OUTCOMES)).toEqual(onPrescription.filter((magic) => magic.status === 201).map((magic) => magic.value));
    expect(REFILL_REFUSALS.rx_test_too_soon).toEqual({ code: 'refill_not_eligible', reason: 'Too early to refill', nextEligibleInDays: 7 });
    expect(REFILL_REFUSALS.rx_test_expired?.nextEligibleInDays).toBeNull();
  });
});

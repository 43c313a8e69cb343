import fc from 'fast-check';
import { componentSchema, componentValidator, failingField, magicValues, resolveRef, type Json } from './spec.ts';
import { PUBLISHED_PATIENT_IDS, PUBLISHED_PRESCRIPTION_IDS } from './test-data.ts';

/** Arbitraries derived from the spec's schemas: valid values, and single-field corruptions of them. */

type Overrides = Readonly<Record<string, fc.Arbitrary<unknown>>>;

interface Schema {
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  additionalProperties?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);
const typesOf = (schema: Schema) => (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]);
/** Longest string generated where the schema sets no maxLength. */
const MAX_GENERATED_LENGTH = 40;

function validString(schema: Schema): fc.Arbitrary<string> {
  if (schema.enum !== undefined) return fc.constantFrom(...(schema.enum as string[]));
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Math.max(minLength, MAX_GENERATED_LENGTH);
  if (schema.pattern === undefined) return fc.string({ minLength, maxLength });
  return fc.stringMatching(new RegExp(schema.pattern, 'u')).filter((text) => text.length >= minLength && text.length <= maxLength);
}

/** Values the schema accepts; `overrides` replaces the arbitrary at a dotted path. */
export function validValue(node: Json, overrides: Overrides = {}, path = ''): fc.Arbitrary<unknown> {
  const override = overrides[path];
  if (override !== undefined) return override;
  const schema = resolveRef<Schema>(node);
  const choices = typesOf(schema).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'null': return fc.constant(null);
      case 'string': return validString(schema);
      case 'boolean': return fc.boolean();
      case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'object': {
        const members = Object.entries(schema.properties ?? {}).map(([name, member]) => [name, validValue(member, overrides, join(path, name))] as const);
        return fc.record(Object.fromEntries(members), { requiredKeys: schema.required ?? [] });
      }
      default: throw new Error(`arbitraries: no generator for type ${type} at ${path || '(root)'}`);
    }
  });
  if (choices.length === 0) throw new Error(`arbitraries: the schema at ${path || '(root)'} has no type`);
  return choices.length === 1 ? choices[0]! : fc.oneof(...choices);
}

export interface Corruption {
  /** The dotted path a validation_error must name. */
  field: string;
  /** How the field breaks its rule, for messages. */
  breach: string;
  corrupt(body: Json): Json;
}

/** Copies `body` with the member at `path` set to `value`, or removed when `value` is `REMOVE`. */
const REMOVE = Symbol('remove');
function withMember(body: Json, path: string, value: unknown): Json {
  const copy = structuredClone(body);
  const names = path.split('.');
  const last = names.pop()!;
  const parent = names.reduce<Json | undefined>((at, name) => at?.[name] as Json | undefined, copy);
  if (parent !== null && typeof parent === 'object') {
    if (value === REMOVE) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

function corruption(field: string, breach: string, values: fc.Arbitrary<unknown>): fc.Arbitrary<Corruption> {
  return values.map((value) => ({
    field, breach: `${breach}${value === REMOVE ? '' : ` (${JSON.stringify(value).slice(0, 60)})`}`,
    corrupt: (body: Json) => withMember(body, field, value),
  }));
}

const JSON_VALUES_BY_TYPE: ReadonlyArray<[string, fc.Arbitrary<unknown>]> = [
  ['string', fc.string({ maxLength: 8 })],
  ['integer', fc.integer()],
  ['boolean', fc.boolean()],
  ['null', fc.constant(null)],
  ['object', fc.constant({})],
  ['array', fc.constant([])],
];

function memberCorruptions(node: Json, path: string, required: boolean): fc.Arbitrary<Corruption>[] {
  const schema = resolveRef<Schema>(node);
  const types = typesOf(schema);
  const found: fc.Arbitrary<Corruption>[] = [];
  if (required) found.push(corruption(path, 'missing', fc.constant(REMOVE)));
  const wrongTypes = JSON_VALUES_BY_TYPE.filter(([type]) => !types.includes(type) && !(type === 'integer' && types.includes('number')));
  found.push(corruption(path, 'of the wrong type', fc.oneof(...wrongTypes.map(([, values]) => values))));
  if (types.includes('string')) {
    if (schema.minLength !== undefined && schema.minLength > 0) found.push(corruption(path, 'too short', fc.string({ maxLength: schema.minLength - 1 })));
    if (schema.maxLength !== undefined) found.push(corruption(path, 'too long', fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 20 })));
    if (schema.pattern !== undefined) {
      const pattern = new RegExp(schema.pattern, 'u');
      found.push(corruption(path, `not matching ${schema.pattern}`, fc.string({ maxLength: 20 }).filter((text) => !pattern.test(text))));
    }
  }
  if (types.includes('object')) found.push(...objectCorruptions(schema, path));
  return found;
}

function objectCorruptions(schema: Schema, path: string): fc.Arbitrary<Corruption>[] {
  const members = schema.properties ?? {};
  const found = Object.entries(members).flatMap(([name, member]) => memberCorruptions(member, join(path, name), (schema.required ?? []).includes(name)));
  if (schema.additionalProperties === false) {
    const unknownName = fc.constantFrom('unexpected', 'extra', 'nickname', 'priority').filter((name) => !(name in members));
    found.push(unknownName.chain((name) => corruption(join(path, name), 'not a member the spec defines', fc.string({ maxLength: 8 }))));
  }
  return found;
}

/** One arbitrary per way a single field of a component schema can break its rule. */
export function corruptionsOf(schemaName: string): fc.Arbitrary<Corruption>[] {
  return objectCorruptions(resolveRef<Schema>(componentSchema(schemaName)), '');
}

/** The fields the spec's schema (via ajv) finds failing in `value`. */
export function failingFields(schemaName: string, value: unknown): Set<string> {
  const validate = componentValidator(schemaName);
  return validate(value) ? new Set() : new Set((validate.errors ?? []).map(failingField));
}

function memberAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, name) => (at !== null && typeof at === 'object' ? (at as Json)[name] : undefined), body);
}

/** The spec's magic values trigger sandbox-only outcomes, so generated valid bodies avoid them. */
const createOrderMagic = magicValues('CreateOrderRequest');

/**
 * Create-order bodies the spec accepts, naming published test patients and prescriptions (so
 * strict targets accept them too) and no magic value.
 */
export const validCreateOrderBody: fc.Arbitrary<Json> = (validValue(componentSchema('CreateOrderRequest'), {
  patientId: fc.constantFrom(...PUBLISHED_PATIENT_IDS),
  prescriptionId: fc.constantFrom(...PUBLISHED_PRESCRIPTION_IDS),
}) as fc.Arbitrary<Json>).filter((body) => !createOrderMagic.some(({ field, value }) => memberAt(body, field) === value));

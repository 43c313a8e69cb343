import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { ErrorDetails } from './api-types.ts';
import { Refusal } from './domain/refusal.ts';
import { openApiDocument, operationParameters } from './spec.ts';

// ajv-formats ships CommonJS whose default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

const SPEC_ID = 'nimbus-openapi';

function createAjv(options: { coerceTypes: boolean; useDefaults?: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    verbose: true,
    useDefaults: options.useDefaults ?? true,
    coerceTypes: options.coerceTypes,
    // `npm run spec:check` validates the spec; checking it again here would cost start-up time.
    validateSchema: false,
  });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: openApiDocument.components.schemas } });
  return ajv;
}

const bodyAjv = createAjv({ coerceTypes: false });
const strictAjv = createAjv({ coerceTypes: false, useDefaults: false });
const queryAjv = createAjv({ coerceTypes: true });

/** `/shippingAddress/zip` → `shippingAddress.zip`. */
function dottedPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.join('.');
}

function describe(error: ErrorObject): ErrorDetails {
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: dottedPath(error.instancePath, String(params.missingProperty)), reason: 'Required' };
    case 'additionalProperties':
      return { field: dottedPath(error.instancePath, String(params.additionalProperty)), reason: 'Unknown field' };
    case 'type':
      return { field: dottedPath(error.instancePath), reason: `Must be of type ${String(params.type).replace(',', ' or ')}` };
    case 'minLength':
      return { field: dottedPath(error.instancePath), reason: params.limit === 1 ? 'Must not be empty' : `Must be at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { field: dottedPath(error.instancePath), reason: `Must be at most ${String(params.limit)} characters` };
    case 'pattern':
      return { field: dottedPath(error.instancePath), reason: typeof schema['x-invalid-reason'] === 'string' ? schema['x-invalid-reason'] : `Must match ${String(params.pattern)}` };
    case 'enum':
      return { field: dottedPath(error.instancePath), reason: `Must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const bound = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
      return { field: dottedPath(error.instancePath), reason: `Must be ${bound} ${String(params.limit)}` };
    }
    case 'format':
      return { field: dottedPath(error.instancePath), reason: `Must be a valid ${String(params.format)}` };
    default:
      return { field: dottedPath(error.instancePath), reason: error.message ?? 'Invalid' };
  }
}

export type Validator<T> = (value: unknown) => T;

/** Validates a request body against a component schema; a breach is a 422 naming the first failing field. */
export function bodyValidator<T>(schemaName: string): Validator<T> {
  const validate = bodyAjv.compile({ $ref: `${SPEC_ID}#/components/schemas/${schemaName}` });
  return (value) => {
    if (validate(value)) return value as T;
    const details = describe(validate.errors![0]!);
    throw new Refusal('validation_error', 'The request body is invalid', details);
  };
}

/** The first breach of a component schema, or undefined when the value conforms. Applies no defaults. */
export function validationFailure(schemaName: string, value: unknown): ErrorDetails | undefined {
  const validate = strictAjv.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`)
    ?? strictAjv.compile({ $ref: `${SPEC_ID}#/components/schemas/${schemaName}` });
  return validate(value) ? undefined : describe(validate.errors![0]!);
}

/** Tests a value against a component schema without throwing. */
export function schemaTest(schemaName: string): (value: unknown) => boolean {
  const validate = bodyAjv.compile({ $ref: `${SPEC_ID}#/components/schemas/${schemaName}` });
  return (value) => validate(value);
}

/**
 * Tests a value against a `oneOf` component schema whose branches each fix `property` to values of
 * their own: only the branch the value names is checked, which is what `oneOf` decides for such a
 * union, at a fraction of the cost of checking every branch.
 */
export function discriminatedTest(schemaName: string, property: string): (value: unknown) => boolean {
  const schema = openApiDocument.components.schemas[schemaName] as { oneOf?: { $ref: string }[] } | undefined;
  if (schema?.oneOf === undefined) throw new Error(`spec: ${schemaName} is not a oneOf`);
  const branches = new Map<string, (value: unknown) => boolean>();
  for (const { $ref } of schema.oneOf) {
    const branchName = $ref.slice($ref.lastIndexOf('/') + 1);
    const branch = openApiDocument.components.schemas[branchName] as { properties?: Record<string, { enum?: unknown[]; const?: unknown }> } | undefined;
    const fixed = branch?.properties?.[property];
    const values = fixed?.enum ?? (fixed?.const === undefined ? undefined : [fixed.const]);
    if (values === undefined) throw new Error(`spec: ${branchName}.${property} has no enum or const, so ${schemaName} cannot be told apart by it`);
    const test = schemaTest(branchName);
    for (const value of values) {
      if (typeof value !== 'string' || branches.has(value)) throw new Error(`spec: ${schemaName} branches share ${property} ${String(value)}`);
      branches.set(value, test);
    }
  }
  return (value) => {
    const key = (value as Record<string, unknown> | null)?.[property];
    const test = typeof key === 'string' ? branches.get(key) : undefined;
    return test !== undefined && test(value);
  };
}

/** Tests a value against a shared parameter's schema (`components.parameters`), such as a path id. */
export function parameterTest(parameterName: string): (value: string) => boolean {
  const parameter = openApiDocument.components.parameters[parameterName];
  if (parameter === undefined) throw new Error(`spec: no parameter ${parameterName}`);
  return parameterSchemaTest(parameter.schema);
}

const parameterTests = new Map<string, (value: string) => boolean>();

/**
 * Tests a value against a parameter's schema, which may point into the spec's components (its
 * local refs are read against the schemas compiled once). Operations sharing a parameter share
 * its test, so binding every operation compiles each distinct schema once.
 */
export function parameterSchemaTest(schema: object): (value: string) => boolean {
  const text = JSON.stringify(schema);
  let test = parameterTests.get(text);
  if (test === undefined) {
    const validate = bodyAjv.compile(JSON.parse(text.replaceAll('"$ref":"#/', `"$ref":"${SPEC_ID}#/`)) as object);
    test = (value) => validate(value);
    parameterTests.set(text, test);
  }
  return test;
}

/** Validates and coerces an operation's query parameters as the spec declares them; a breach is a 400. */
export function queryValidator<T>(operationId: string): Validator<T> {
  const parameters = operationParameters(operationId, 'query');
  const validate = queryAjv.compile({
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    // Parameter schemas point into the spec's components with local refs.
    components: { schemas: openApiDocument.components.schemas },
  });
  return (value) => {
    if (validate(value)) return value as T;
    const details = describe(validate.errors![0]!);
    throw new Refusal('invalid_request', `Query parameter ${details.field} is invalid`, details);
  };
}

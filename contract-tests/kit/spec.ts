import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import document from '../generated/spec.json' with { type: 'json' };

export type Json = Record<string, unknown>;

interface HeaderSpec { required?: boolean; schema?: Json }
export interface ResponseSpec { headers: Record<string, HeaderSpec>; content?: Record<string, { schema?: Json }> }
interface OperationSpec {
  operationId: string;
  description?: string;
  tags?: string[];
  'x-nimbus-planned'?: boolean;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, Json>;
}

export interface Operation {
  id: string;
  method: string;
  /** As written in the spec, such as `/orders/{orderId}`. */
  path: string;
  planned: boolean;
  tags: string[];
  matches(pathname: string): boolean;
  spec: OperationSpec;
}

/**
 * spec/openapi.yaml, the single source of truth, as the kit's own generated copy (never through
 * src/): imported, so the kit works wherever it is bundled or installed.
 */
export const spec = document as unknown as {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Json> };
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);

/** Follows a local `$ref` (`#/components/...`) until it reaches an object that is not one. */
export function resolveRef<T = Json>(node: unknown): T {
  let current = node as Json;
  while (typeof current?.$ref === 'string') {
    const pointer = (current.$ref as string).replace(/^#\//, '').split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    current = pointer.reduce<Json>((at, part) => at[part] as Json, spec as unknown as Json);
    if (current === undefined) throw new Error(`spec: dangling $ref ${String((node as Json).$ref)}`);
  }
  return current as T;
}

function pathMatcher(template: string): RegExp {
  const pattern = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${pattern}$`);
}

export const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) => {
  const matcher = pathMatcher(path);
  return Object.entries(item).filter(([method]) => HTTP_METHODS.has(method)).map(([method, raw]) => {
    const operation = raw as OperationSpec;
    return {
      id: operation.operationId, method: method.toUpperCase(), path,
      planned: operation['x-nimbus-planned'] === true, tags: operation.tags ?? [],
      matches: (pathname: string) => matcher.test(pathname),
      spec: operation,
    };
  });
});

export function operation(id: string): Operation {
  const found = operations.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`spec: no operation ${id}`);
  return found;
}

export function findOperation(method: string, pathname: string): Operation | undefined {
  return operations.find((candidate) => candidate.method === method && candidate.matches(pathname));
}

/** The response the spec documents for this status, with its headers resolved; undefined when undocumented. */
export function documentedResponse(op: Operation, status: number): ResponseSpec | undefined {
  const raw = op.spec.responses[String(status)] ?? op.spec.responses[`${String(status)[0]}XX`] ?? op.spec.responses.default;
  if (raw === undefined) return undefined;
  const response = resolveRef<{ headers?: Record<string, unknown>; content?: ResponseSpec['content'] }>(raw);
  const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, header]) => [name, resolveRef<HeaderSpec>(header)]));
  return { headers, ...(response.content === undefined ? {} : { content: response.content }) };
}

/** A request example the spec publishes for an operation, such as createOrder's `guide`. */
export function requestExample(op: Operation, name: string): unknown {
  const value = op.spec.requestBody?.content['application/json']?.examples?.[name]?.value;
  if (value === undefined) throw new Error(`spec: ${op.id} has no request example ${name}`);
  return structuredClone(value);
}

const rateLimited = new Set(operations.filter((op) => Object.keys(op.spec.responses)
  .some((status) => 'X-RateLimit-Limit' in (documentedResponse(op, Number(status))?.headers ?? {}))));

/** Operations whose answers publish the X-RateLimit-* headers. */
export function isRateLimited(op: Operation): boolean {
  return rateLimited.has(op);
}

/** Error code → HTTP status: `ErrorCode`'s `x-nimbus-statuses`, which must cover its enum. */
export const errorStatusByCode: ReadonlyMap<string, number> = (() => {
  const errorCode = spec.components.schemas.ErrorCode as { enum: string[]; 'x-nimbus-statuses'?: Record<string, unknown> };
  const statuses = errorCode['x-nimbus-statuses'] ?? {};
  const missing = errorCode.enum.filter((code) => !Number.isInteger(statuses[code]));
  if (missing.length > 0) throw new Error(`spec: ErrorCode's x-nimbus-statuses gives no status for ${missing.join(', ')}`);
  return new Map(errorCode.enum.map((code) => [code, statuses[code] as number]));
})();

/** One of the sandbox's magic values, as a request schema's `x-nimbus-magic-values` lists it. */
export interface MagicValue {
  /** Dotted path of the request member, such as `shippingAddress.zip`. */
  field: string;
  value: string;
  /** 201 for values accepted with an unusual course, else the refusal's status. */
  status: number;
  /** The refusal's error code. */
  code?: string;
  reason?: string;
  outcome?: string;
  nextEligibleInDays?: number;
  description: string;
}

/** A request schema's magic values (`x-nimbus-magic-values`); none when the spec lists none. */
export function magicValues(schemaName: string): MagicValue[] {
  const listed = componentSchema(schemaName)['x-nimbus-magic-values'];
  if (listed === undefined) return [];
  if (!Array.isArray(listed) || !listed.every((magic: Json) => typeof magic?.field === 'string' && typeof magic.value === 'string' && typeof magic.status === 'number')) {
    throw new Error(`spec: ${schemaName}'s x-nimbus-magic-values is not a list of {field, value, status, …}`);
  }
  return structuredClone(listed as MagicValue[]);
}

// ajv-formats ships CommonJS whose default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;
const SPEC_ID = 'nimbus-contract-spec';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: SPEC_ID, components: { schemas: spec.components.schemas } });

function pointIntoSpec(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(pointIntoSpec);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [
    key,
    key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${SPEC_ID}${value}` : pointIntoSpec(value),
  ]));
}

const compiled = new WeakMap<object, ValidateFunction>();

/** An ajv (JSON Schema 2020-12, with formats) validator for a schema taken from the spec. */
export function validatorFor(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(pointIntoSpec(schema) as Json);
    compiled.set(schema, validate);
  }
  return validate;
}

export function componentSchema(name: string): Json {
  const schema = spec.components.schemas[name];
  if (schema === undefined) throw new Error(`spec: no schema ${name}`);
  return schema;
}

export function componentValidator(name: string): ValidateFunction {
  return validatorFor(componentSchema(name));
}

/** `{instancePath:"/shippingAddress/zip"}` → `shippingAddress.zip`; required and unknown members name the member. */
export function failingField(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') parts.push(String(params.missingProperty));
  if (error.keyword === 'additionalProperties') parts.push(String(params.additionalProperty));
  return parts.join('.');
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`).join('; ');
}

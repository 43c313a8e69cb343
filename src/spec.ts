import spec from './generated/spec.json' with { type: 'json' };

export interface SpecParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema: object;
}

interface SpecOperation {
  operationId: string;
  parameters?: Array<SpecParameter | { $ref: string }>;
}

export const openApiDocument = spec as unknown as {
  paths: Record<string, Record<string, SpecOperation | unknown>>;
  components: { schemas: Record<string, object>; parameters: Record<string, SpecParameter> };
};

/** The keys of a path item that are operations (OpenAPI 3.1), not shared parameters or a summary. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const isHttpMethod = (key: string) => (HTTP_METHODS as readonly string[]).includes(key);

function resolveParameter(parameter: SpecParameter | { $ref: string }): SpecParameter {
  if (!('$ref' in parameter)) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  const resolved = openApiDocument.components.parameters[name];
  if (resolved === undefined) throw new Error(`spec: unknown parameter ${parameter.$ref}`);
  return resolved;
}

/** An operation's parameters of one location, as the spec declares them. */
export function operationParameters(operationId: string, location: SpecParameter['in']): SpecParameter[] {
  for (const pathItem of Object.values(openApiDocument.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!isHttpMethod(method) || (operation as SpecOperation).operationId !== operationId) continue;
      const shared = (pathItem.parameters as SpecOperation['parameters']) ?? [];
      return [...shared, ...((operation as SpecOperation).parameters ?? [])]
        .map(resolveParameter)
        .filter((parameter) => parameter.in === location);
    }
  }
  throw new Error(`spec: no operation ${operationId}`);
}

/** The `default` a component schema gives one of its properties, as validation fills it in. */
export function propertyDefault(schemaName: string, property: string): unknown {
  const schema = openApiDocument.components.schemas[schemaName] as { properties?: Record<string, { default?: unknown }> } | undefined;
  const value = schema?.properties?.[property]?.default;
  if (value === undefined) throw new Error(`spec: ${schemaName}.${property} has no default`);
  return value;
}

/** The `maxItems` a component schema gives one of its array properties. */
export function propertyMaxItems(schemaName: string, property: string): number {
  const schema = openApiDocument.components.schemas[schemaName] as { properties?: Record<string, { maxItems?: number }> } | undefined;
  const value = schema?.properties?.[property]?.maxItems;
  if (value === undefined) throw new Error(`spec: ${schemaName}.${property} has no maxItems`);
  return value;
}

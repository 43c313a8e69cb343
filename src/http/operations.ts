import type { RateLimitGroup } from './rate-limit.ts';
import { Refusal } from '../domain/refusal.ts';
import { HTTP_METHODS, openApiDocument, operationParameters } from '../spec.ts';
import { parameterSchemaTest } from '../validation.ts';
import type { Handlers, OperationId, SandboxContext } from './respond.ts';


/** An operation of spec/openapi.yaml, as the router needs it. */
export interface SpecOperation {
  id: OperationId;
  method: string;
  /** As the spec writes it: `/orders/{orderId}`. */
  path: string;
  tags: readonly string[];
  /** Served without an API key (`security: []` in the spec): no tenant, no rate limit. */
  keyless: boolean;
}

/** Every operation the spec documents under `paths` (webhooks are sent, not served). */
export function specOperations(): SpecOperation[] {
  return Object.entries(openApiDocument.paths).flatMap(([path, item]) => HTTP_METHODS
    .filter((method) => typeof (item as Record<string, unknown>)[method] === 'object')
    .map((method) => {
      const operation = (item as Record<string, { operationId: OperationId; tags?: string[]; security?: unknown[] }>)[method]!;
      return {
        id: operation.operationId, method: method.toUpperCase(), path, tags: operation.tags ?? [],
        keyless: Array.isArray(operation.security) && operation.security.length === 0,
      };
    }));
}

type Answer = Response | Promise<Response>;

/** An operation bound to its handler. */
export interface BoundOperation {
  id: OperationId;
  serve: (c: SandboxContext) => Answer;
}

/** One path's operations, by method, ready to serve. */
export interface BoundPath {
  /** Hono's form of the path: `/orders/:orderId`. */
  route: string;
  specPath: string;
  /** The published API's groups are rate-limited and take faults; `/sandbox` operations are neither. */
  group: RateLimitGroup | undefined;
  /** Its operations need no API key (the spec's `security: []`); a path's operations all need one or none. */
  keyless: boolean;
  methods: Map<string, BoundOperation>;
}

/**
 * Binds each operation of the spec to its handler by operationId, with its path parameters
 * checked against their spec schemas (an id of the wrong shape cannot exist: 404). Throws at
 * start-up when an operation has no handler or a handler names no operation.
 */
export function bindOperations(handlers: Handlers): BoundPath[] {
  const operations = specOperations();
  const unbound = operations.filter((operation) => typeof handlers[operation.id] !== 'function').map((operation) => operation.id);
  const unknown = Object.keys(handlers).filter((id) => !operations.some((operation) => operation.id === id));
  if (unbound.length > 0 || unknown.length > 0) {
    throw new Error(`spec and handlers disagree: ${[...unbound.map((id) => `${id} has no handler`), ...unknown.map((id) => `${id} is no operation of spec/openapi.yaml`)].join('; ')}`);
  }
  const paths = new Map<string, BoundPath>();
  for (const operation of operations) {
    let bound = paths.get(operation.path);
    if (bound === undefined) {
      const segment = operation.path.split('/')[1] as RateLimitGroup;
      bound = {
        route: operation.path.replace(/\{(\w+)\}/g, ':$1'),
        specPath: operation.path,
        group: operation.tags.includes('Sandbox') ? undefined : segment,
        keyless: operation.keyless,
        methods: new Map(),
      };
      paths.set(operation.path, bound);
    } else if (bound.keyless !== operation.keyless) {
      throw new Error(`spec: ${operation.path} mixes operations that need an API key with some that do not (security: [])`);
    }
    bound.methods.set(operation.method, {
      id: operation.id,
      serve: withPathParams(operation, handlers[operation.id] as (c: SandboxContext, params: Record<string, string>) => Answer),
    });
  }
  return [...paths.values()];
}

function withPathParams(operation: SpecOperation, handler: (c: SandboxContext, params: Record<string, string>) => Answer): (c: SandboxContext) => Answer {
  const checks = operationParameters(operation.id, 'path').map((parameter) => ({
    name: parameter.name,
    noun: parameter.name.replace(/Id$/, ''),
    isValid: parameterSchemaTest(parameter.schema),
    shape: `Must match ${patternOf(parameter.schema)}`,
  }));
  if (checks.length === 0) return (c) => handler(c, {});
  return (c) => {
    const params: Record<string, string> = {};
    for (const { name, noun, isValid, shape } of checks) {
      const value = c.req.param(name) ?? '';
      if (!isValid(value)) throw new Refusal('not_found', `No ${noun} with id ${value.slice(0, 100)}`, { field: name, reason: shape });
      params[name] = value;
    }
    return handler(c, params);
  };
}

/** A parameter schema's pattern, following a `$ref` into the spec's schemas. */
function patternOf(schema: object): string | undefined {
  const ref = (schema as { $ref?: string }).$ref;
  const resolved = ref === undefined ? schema : openApiDocument.components.schemas[ref.slice(ref.lastIndexOf('/') + 1)];
  return (resolved as { pattern?: string } | undefined)?.pattern;
}

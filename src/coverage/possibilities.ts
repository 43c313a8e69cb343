/**
 * Everything an integrator's code can meet of the contract, read from a spec document (the
 * generated spec.json, or a changed copy in tests): what `GET /sandbox/coverage` counts against.
 */
import { HTTP_METHODS } from '../spec.ts';

export interface ResponsePossibility {
  operationId: string;
  status: number;
  /** Error answers only. */
  code?: string;
  hint: string;
}

export interface StatusPossibility {
  kind: 'order' | 'refill';
  status: string;
}

export interface MagicPossibility {
  operationId: string;
  field: string;
  value: string;
  hint: string;
}

export interface EventPossibility {
  type: string;
  hint: string;
}

export interface FaultPossibility {
  kind: string;
  hint: string;
}

export interface Possibilities {
  responses: ResponsePossibility[];
  statuses: StatusPossibility[];
  events: EventPossibility[];
  magicValues: MagicPossibility[];
  faults: FaultPossibility[];
}

type Json = Record<string, unknown>;

/** A request without an accepted key has no key to count it under. */
const UNCOUNTABLE_STATUSES = new Set([401]);
/** Which lifecycle each status enum is, in the order they are listed. */
const STATUS_ENUMS = [['order', 'OrderStatus'], ['refill', 'RefillStatus']] as const;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function component(document: Json, kind: string, name: string): Json {
  const found = isObject(document.components) && isObject(document.components[kind]) ? document.components[kind][name] : undefined;
  if (!isObject(found)) throw new Error(`spec: no ${kind} ${name}`);
  return found;
}

/** Follows a local `$ref` (`#/components/KIND/NAME`) once. */
function resolve(document: Json, value: unknown): Json {
  if (!isObject(value)) throw new Error('spec: expected an object');
  if (typeof value.$ref !== 'string') return value;
  const [, , kind, name] = value.$ref.split('/');
  return component(document, kind!, name!);
}

function enumOf(document: Json, schema: string): string[] {
  const values = component(document, 'schemas', schema).enum;
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) throw new Error(`spec: ${schema} needs an enum of strings`);
  return values;
}

interface SpecOperation {
  id: string;
  operation: Json;
  /** Outside `/sandbox` and needing a key: what an integrator's production code calls. */
  counted: boolean;
}

function operationsOf(document: Json): SpecOperation[] {
  if (!isObject(document.paths)) throw new Error('spec: no paths');
  return Object.values(document.paths).flatMap((item) => HTTP_METHODS
    .map((method) => (isObject(item) ? item[method] : undefined))
    .filter(isObject)
    .map((operation) => {
      const tags = Array.isArray(operation.tags) ? operation.tags : [];
      const keyless = Array.isArray(operation.security) && operation.security.length === 0;
      return { id: String(operation.operationId), operation, counted: !tags.includes('Sandbox') && !keyless };
    }));
}

/**
 * Each operation's error codes by documented status: the operation's `x-nimbus-codes` for a
 * status several codes share, else the one code `ErrorCode`'s `x-nimbus-statuses` gives it.
 * Throws on an extension that names an undocumented status, a code of another status, or a
 * shared status left unsaid, for every operation (served or not), so `npm run spec:check` catches it.
 */
export function operationErrorCodes(document: unknown): Map<string, Map<number, string[]>> {
  if (!isObject(document)) throw new Error('spec: not an object');
  const codeStatuses = component(document, 'schemas', 'ErrorCode')['x-nimbus-statuses'];
  if (!isObject(codeStatuses)) throw new Error('spec: ErrorCode needs x-nimbus-statuses');
  const codesOf = (status: number) => Object.keys(codeStatuses).filter((code) => codeStatuses[code] === status);
  const result = new Map<string, Map<number, string[]>>();
  for (const { id, operation } of operationsOf(document)) {
    const where = `spec: ${id}'s x-nimbus-codes`;
    const declared = operation['x-nimbus-codes'] ?? {};
    const responses = operation.responses;
    if (!isObject(declared)) throw new Error(`${where} must map statuses to lists of codes`);
    if (!isObject(responses)) throw new Error(`spec: ${id} has no responses`);
    const byStatus = new Map<number, string[]>();
    for (const [key, codes] of Object.entries(declared)) {
      if (!(key in responses)) throw new Error(`${where} names ${key}, which ${id} does not document`);
      if (!Array.isArray(codes) || codes.length === 0) throw new Error(`${where}.${key} must list codes`);
      const wrong = codes.filter((code) => codeStatuses[String(code)] !== Number(key));
      if (wrong.length > 0) throw new Error(`${where}.${key} lists ${wrong.join(', ')}, not ${key} codes in ErrorCode's x-nimbus-statuses`);
    }
    for (const key of Object.keys(responses)) {
      const status = Number(key);
      if (!Number.isInteger(status) || status < 400) continue;
      const codes = (declared[key] as string[] | undefined) ?? codesOf(status);
      if (codes.length !== 1 && declared[key] === undefined) {
        throw new Error(`${where} must say which of ${codes.join(', ') || 'no codes'} ${id} answers with ${key}`);
      }
      byStatus.set(status, codes);
    }
    result.set(id, byStatus);
  }
  return result;
}

interface Triggers {
  magicValues(operation: Json): Array<Json & { field: string; value: string; description: string }>;
  faultFor(code: string): string | undefined;
  /** The header that injects this fault, as sent. */
  faultHeader(kind: string): string;
  when(code: string): string | undefined;
}

function triggersOf(document: Json): Triggers {
  const faultKind = component(document, 'schemas', 'FaultKind');
  const faultCodes = isObject(faultKind['x-nimbus-codes']) ? faultKind['x-nimbus-codes'] : {};
  const header = String(faultKind['x-nimbus-header']);
  const errorCode = component(document, 'schemas', 'ErrorCode');
  const when = isObject(errorCode['x-nimbus-when']) ? errorCode['x-nimbus-when'] : {};
  return {
    magicValues: (operation) => {
      const body = operation.requestBody;
      const schema = isObject(body) && isObject(body.content) && isObject(body.content['application/json'])
        ? body.content['application/json'].schema : undefined;
      if (!isObject(schema)) return [];
      const values = resolve(document, schema)['x-nimbus-magic-values'];
      return Array.isArray(values) ? values : [];
    },
    faultFor: (code) => {
      const kind = Object.keys(faultCodes).find((name) => faultCodes[name] === code);
      return kind === undefined ? undefined : `${header}: ${kind}`;
    },
    faultHeader: (kind) => `Send the header ${header}: ${kind}${kind === 'latency' ? ' (or latency=MS)' : ''}, or start with --fault-rate`,
    when: (code) => (typeof when[code] === 'string' ? when[code] : undefined),
  };
}

function errorHint(triggers: Triggers, operation: Json, status: number, code: string): string {
  const when = triggers.when(code) ?? code;
  const magic = triggers.magicValues(operation).filter((value) => value.status === status && value.code === code);
  if (magic.length > 0) {
    const [first] = magic;
    const others = magic.length > 1 ? ` (or another of the ${magic.length} magic values that answer it)` : '';
    return `Send ${first!.field} "${first!.value}"${others}: ${when}`;
  }
  const fault = triggers.faultFor(code);
  return fault === undefined ? when : `Send the header ${fault}; or: ${when}`;
}

/** The event types each webhook the document describes carries (its body's `type`), with that webhook's summary. */
function webhookSummaries(document: Json): Map<string, string> {
  const summaries = new Map<string, string>();
  const webhooks = isObject(document.webhooks) ? document.webhooks : {};
  for (const item of Object.values(webhooks)) {
    const post = isObject(item) && isObject(item.post) ? item.post : undefined;
    const body = isObject(post?.requestBody) ? resolve(document, post.requestBody) : undefined;
    const media = isObject(body?.content) && isObject(body.content['application/json']) ? body.content['application/json'] : undefined;
    const schema = isObject(media?.schema) ? resolve(document, media.schema) : undefined;
    const type = isObject(schema?.properties) && isObject(schema.properties.type) ? schema.properties.type : undefined;
    const types = type === undefined ? [] : Array.isArray(type.enum) ? type.enum : type.const === undefined ? [] : [type.const];
    for (const name of types) if (typeof post?.summary === 'string') summaries.set(String(name), post.summary);
  }
  return summaries;
}

/** Where an endpoint is registered, as hints name it: the path of `sandboxCreateWebhookEndpoint`. */
function endpointRegistration(document: Json): string {
  const register = operationsOf(document).find(({ id }) => id === 'sandboxCreateWebhookEndpoint');
  const path = register === undefined ? undefined : Object.entries(document.paths as Json)
    .find(([, item]) => isObject(item) && item.post === register.operation)?.[0];
  return path === undefined ? 'an endpoint' : `an endpoint (POST ${path})`;
}

/** How an event type is met: an endpoint that takes it, and what makes it happen. */
function eventHint(endpoint: string, summaries: Map<string, string>, type: string): string {
  const what = summaries.get(type);
  return `Register ${endpoint} whose events include ${type}${what === undefined ? '' : `, then: ${what}`}`;
}

/** Every possibility the document describes, in its order: operations, then their documented statuses. */
export function possibilitiesOf(document: unknown): Possibilities {
  const codes = operationErrorCodes(document);
  const spec = document as Json;
  const triggers = triggersOf(spec);
  const summaries = webhookSummaries(spec);
  const endpoint = endpointRegistration(spec);
  const counted = operationsOf(spec).filter((operation) => operation.counted);
  const responses = counted.flatMap(({ id, operation }) => Object.entries(operation.responses as Json)
    .filter(([key]) => Number.isInteger(Number(key)) && !UNCOUNTABLE_STATUSES.has(Number(key)))
    .flatMap(([key, response]): ResponsePossibility[] => {
      const status = Number(key);
      if (status < 400) {
        const description = resolve(spec, response).description;
        return [{ operationId: id, status, hint: typeof description === 'string' ? description.trim() : `A ${status} answer` }];
      }
      return codes.get(id)!.get(status)!.map((code) => ({ operationId: id, status, code, hint: errorHint(triggers, operation, status, code) }));
    }));
  const magicValues = counted.flatMap(({ id, operation }) => triggers.magicValues(operation)
    .map(({ field, value, description }) => ({ operationId: id, field, value, hint: description })));
  return {
    responses,
    statuses: STATUS_ENUMS.flatMap(([kind, schema]) => enumOf(spec, schema).map((status) => ({ kind, status }))),
    events: enumOf(spec, 'WebhookEventType').map((type) => ({ type, hint: eventHint(endpoint, summaries, type) })),
    magicValues,
    faults: enumOf(spec, 'FaultKind').map((kind) => ({ kind, hint: triggers.faultHeader(kind) })),
  };
}

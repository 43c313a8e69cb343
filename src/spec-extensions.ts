import type { ClientErrorStatusCode, ServerErrorStatusCode } from 'hono/utils/http-status';
import type { ErrorCode, FaultKind } from './api-types.ts';
import spec from './generated/spec.json' with { type: 'json' };

/**
 * The data the spec keeps in `x-nimbus-*` extensions, read from src/generated/spec.json and
 * checked when this module loads, so a malformed extension fails at start, not mid-request:
 *
 * - `ErrorCode`'s `x-nimbus-statuses`: every code → its HTTP status;
 * - `CreateOrderRequest`'s and `CreateRefillRequest`'s `x-nimbus-magic-values`: the sandbox's
 *   magic values, `{field, value, status, code?, reason?, outcome?, nextEligibleInDays?, description}`;
 * - `FaultKind`'s enum, `x-nimbus-header` (the request header that asks for a fault) and
 *   `x-nimbus-codes` (the error code each answering fault answers).
 */

export type ErrorHttpStatus = ClientErrorStatusCode | ServerErrorStatusCode;

/** A magic value the sandbox refuses: `status` is `code`'s status and `reason` is `details.reason`. */
export interface MagicRefusalValue {
  field: string;
  value: string;
  status: ErrorHttpStatus;
  code: ErrorCode;
  reason: string;
  /** Refills only: the refusal's `details.nextEligibleDate` is this many days from now (else null). */
  nextEligibleInDays?: number;
  description: string;
}

/** A magic value the sandbox accepts (`status` 201) and then plays out as `outcome`. */
export interface MagicOutcomeValue {
  field: string;
  value: string;
  status: 201;
  outcome: string;
  description: string;
}

export type MagicValue = MagicRefusalValue | MagicOutcomeValue;

export function isRefusal(magic: MagicValue): magic is MagicRefusalValue {
  return 'code' in magic;
}

export interface FaultSpec {
  kinds: readonly FaultKind[];
  /** The request header that asks for one. */
  header: string;
  /** The faults that answer an error, and its code. */
  codes: Readonly<Partial<Record<FaultKind, ErrorCode>>>;
}

export interface SpecExtensions {
  errorStatuses: Readonly<Record<ErrorCode, ErrorHttpStatus>>;
  orderMagicValues: readonly MagicValue[];
  refillMagicValues: readonly MagicValue[];
  faults: FaultSpec;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function schemaOf(document: unknown, name: string): Json {
  const schema = isObject(document) && isObject(document.components) && isObject(document.components.schemas)
    ? document.components.schemas[name] : undefined;
  if (!isObject(schema)) throw new Error(`spec: no schema ${name}`);
  return schema;
}

function readErrorStatuses(document: unknown): Record<ErrorCode, ErrorHttpStatus> {
  const errorCode = schemaOf(document, 'ErrorCode');
  const codes = errorCode.enum;
  const statuses = errorCode['x-nimbus-statuses'];
  if (!Array.isArray(codes) || !isObject(statuses)) throw new Error('spec: ErrorCode needs an enum and x-nimbus-statuses');
  const unknown = Object.keys(statuses).filter((code) => !codes.includes(code));
  if (unknown.length > 0) throw new Error(`spec: ErrorCode's x-nimbus-statuses names codes outside its enum: ${unknown.join(', ')}`);
  return Object.fromEntries(codes.map((code: string) => {
    const status = statuses[code];
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error(`spec: ErrorCode's x-nimbus-statuses gives ${code} no 4xx or 5xx status`);
    }
    return [code, status];
  })) as Record<ErrorCode, ErrorHttpStatus>;
}

const REFUSAL_KEYS = new Set(['field', 'value', 'status', 'code', 'reason', 'nextEligibleInDays', 'description']);
const OUTCOME_KEYS = new Set(['field', 'value', 'status', 'outcome', 'description']);

function readMagicValues(document: unknown, schemaName: string, errorStatuses: Record<string, number>): MagicValue[] {
  const values = schemaOf(document, schemaName)['x-nimbus-magic-values'];
  if (!Array.isArray(values)) throw new Error(`spec: ${schemaName} has no x-nimbus-magic-values list`);
  const seen = new Set<string>();
  return values.map((magic: unknown, index): MagicValue => {
    const where = `spec: ${schemaName}'s x-nimbus-magic-values[${index}]`;
    if (!isObject(magic) || !isText(magic.field) || !isText(magic.value) || !isText(magic.description)) {
      throw new Error(`${where} needs a field, a value and a description`);
    }
    const key = `${magic.field}=${magic.value}`;
    if (seen.has(key)) throw new Error(`${where} repeats ${key}`);
    seen.add(key);
    const allowed = magic.status === 201 ? OUTCOME_KEYS : REFUSAL_KEYS;
    const extra = Object.keys(magic).filter((name) => !allowed.has(name));
    if (extra.length > 0) throw new Error(`${where} (status ${String(magic.status)}) cannot have ${extra.join(', ')}`);
    if (magic.status === 201) {
      if (!isText(magic.outcome)) throw new Error(`${where} is accepted (201) and needs an outcome`);
      return magic as unknown as MagicOutcomeValue;
    }
    if (!isText(magic.code) || !(magic.code in errorStatuses)) throw new Error(`${where} needs a code from ErrorCode`);
    if (magic.status !== errorStatuses[magic.code]) throw new Error(`${where}: status ${String(magic.status)} is not ${magic.code}'s ${errorStatuses[magic.code]}`);
    if (!isText(magic.reason)) throw new Error(`${where} is a refusal and needs a reason`);
    const days = magic.nextEligibleInDays;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1)) {
      throw new Error(`${where}: nextEligibleInDays is a whole number of days`);
    }
    return magic as unknown as MagicRefusalValue;
  });
}

function readFaults(document: unknown, errorStatuses: Record<string, number>): FaultSpec {
  const schema = schemaOf(document, 'FaultKind');
  const kinds = schema.enum;
  const header = schema['x-nimbus-header'];
  const codes = schema['x-nimbus-codes'];
  if (!Array.isArray(kinds) || !kinds.every(isText)) throw new Error('spec: FaultKind needs an enum of names');
  if (!isText(header)) throw new Error('spec: FaultKind needs the x-nimbus-header that asks for a fault');
  if (!isObject(codes)) throw new Error('spec: FaultKind needs x-nimbus-codes');
  for (const [kind, code] of Object.entries(codes)) {
    if (!kinds.includes(kind)) throw new Error(`spec: FaultKind's x-nimbus-codes names ${kind}, not one of its enum`);
    if (!isText(code) || !(code in errorStatuses)) throw new Error(`spec: FaultKind's x-nimbus-codes gives ${kind} no code from ErrorCode`);
  }
  return { kinds: kinds as FaultKind[], header, codes: codes as FaultSpec['codes'] };
}

/** Reads and checks the extensions of a spec document (src/generated/spec.json, or a copy in tests). */
export function readSpecExtensions(document: unknown): SpecExtensions {
  const errorStatuses = readErrorStatuses(document);
  return {
    errorStatuses,
    orderMagicValues: readMagicValues(document, 'CreateOrderRequest', errorStatuses),
    refillMagicValues: readMagicValues(document, 'CreateRefillRequest', errorStatuses),
    faults: readFaults(document, errorStatuses),
  };
}

const extensions = readSpecExtensions(spec);

/** Error code → HTTP status (`ErrorCode`'s `x-nimbus-statuses`), complete over the enum. */
export const errorStatuses = extensions.errorStatuses;
/** `CreateOrderRequest`'s `x-nimbus-magic-values`, in the spec's order. */
export const orderMagicValues = extensions.orderMagicValues;
/** `CreateRefillRequest`'s `x-nimbus-magic-values`, in the spec's order. */
export const refillMagicValues = extensions.refillMagicValues;
/** `FaultKind`: the faults, the header that asks for one, and what each answering fault answers. */
export const faultSpec = extensions.faults;

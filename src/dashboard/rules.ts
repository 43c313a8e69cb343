import spec from '../generated/spec.json' with { type: 'json' };
import { ORDER_LIFECYCLE } from '../lifecycle/order-lifecycle.ts';
import { REFILL_LIFECYCLE } from '../lifecycle/refill-lifecycle.ts';
import { mainPath, statusesAllowingRequest, type LifecycleTable } from '../lifecycle/table.ts';

/**
 * What the dashboard may offer, read from the spec bundled at build time and from the lifecycle
 * tables: statuses from the enums, moves from the operations the spec has and the rows the
 * tables allow on request. Nothing here is a hand-made list.
 */

type Json = Record<string, unknown>;
const document = spec as unknown as { paths: Record<string, Json>; components: { schemas: Record<string, Json> } };

function schemaEnum(name: string, property?: string): string[] {
  const schema = document.components.schemas[name];
  const target = property === undefined ? schema : (schema?.properties as Record<string, Json> | undefined)?.[property];
  const values = target?.enum;
  if (!Array.isArray(values)) throw new Error(`spec: ${name}${property === undefined ? '' : `.${property}`} has no enum`);
  return values as string[];
}

function hasOperation(path: string, method: string): boolean {
  return document.paths[path]?.[method] !== undefined;
}

/** The schema name of an operation's JSON request body, when it has one. */
function requestSchema(path: string, method: string): string | undefined {
  const operation = document.paths[path]?.[method] as Json | undefined;
  const body = operation?.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined;
  return body?.content?.['application/json']?.schema?.$ref?.split('/').pop();
}

export interface RecordKind {
  noun: 'order' | 'refill';
  /** Capitalised plural for headings. */
  title: string;
  statuses: readonly string[];
  list: string;
  one: (id: string) => string;
  history: (id: string) => string;
  /** Where the record may be moved along, and the statuses it may be moved to (in lifecycle order). */
  advance?: { path: (id: string) => string; targets: readonly string[] };
  /** Where the record may be cancelled, and from which statuses. */
  cancel?: { path: (id: string) => string; from: readonly string[] };
  /** The order of statuses on the record's usual course, for "ahead of". */
  course: readonly string[];
}

function kind<S extends string>(noun: 'order' | 'refill', title: string, table: LifecycleTable<S, never, never, never>): RecordKind {
  const statusSchema = noun === 'order' ? 'OrderStatus' : 'RefillStatus';
  const idParam = `{${noun}Id}`;
  const plural = `${noun}s`;
  const fill = (template: string) => (id: string) => template.replace(idParam, encodeURIComponent(id));
  const advancePath = `/sandbox/${plural}/${idParam}/advance`;
  const cancelPath = `/${plural}/${idParam}`;
  const advanceSchema = requestSchema(advancePath, 'post');
  return {
    noun,
    title,
    statuses: schemaEnum(statusSchema),
    list: `/sandbox/${plural}`,
    one: fill(`/${plural}/${idParam}`),
    history: fill(`/sandbox/${plural}/${idParam}/history`),
    advance: hasOperation(advancePath, 'post') && advanceSchema !== undefined
      ? { path: fill(advancePath), targets: schemaEnum(advanceSchema, 'to') } : undefined,
    cancel: hasOperation(cancelPath, 'delete')
      ? { path: fill(cancelPath), from: statusesAllowingRequest(table, 'cancelled' as S) } : undefined,
    course: mainPath(table),
  };
}

export const ORDERS = kind('order', 'Orders', ORDER_LIFECYCLE as unknown as LifecycleTable<string, never, never, never>);
export const REFILLS = kind('refill', 'Refills', REFILL_LIFECYCLE as unknown as LifecycleTable<string, never, never, never>);

/** The statuses a record in `status` may be advanced to: the advance targets ahead of it on its course. */
export function advanceTargets(recordKind: RecordKind, status: string): string[] {
  const position = recordKind.course.indexOf(status);
  if (recordKind.advance === undefined || position < 0) return [];
  return recordKind.advance.targets.filter((target) => recordKind.course.indexOf(target) > position);
}

export function canCancel(recordKind: RecordKind, status: string): boolean {
  return recordKind.cancel?.from.includes(status) ?? false;
}

export const EVENT_TYPES: readonly string[] = schemaEnum('WebhookEventType');

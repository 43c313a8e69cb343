/**
 * The README's tables that restate spec data (magic values, error codes), rendered from the
 * spec's `x-nimbus-*` extensions between `<!-- generated: NAME -->` and `<!-- /generated -->`.
 */

type Json = Record<string, unknown>;

interface MagicValue {
  field: string;
  value: string;
  status: number;
  code?: string;
  description: string;
}

function schema(document: Json, name: string): Json {
  const found = ((document.components as Json).schemas as Json)[name] as Json | undefined;
  if (found === undefined) throw new Error(`spec: no schema ${name}`);
  return found;
}

function magicValues(document: Json, name: string): MagicValue[] {
  const values = schema(document, name)['x-nimbus-magic-values'];
  if (!Array.isArray(values)) throw new Error(`spec: ${name} has no x-nimbus-magic-values list`);
  return values as MagicValue[];
}

const code = (text: string) => `\`${text}\``;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: string[][]) =>
  [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');

function orderMagicValues(document: Json): string {
  return table(['field', 'value', 'result'], magicValues(document, 'CreateOrderRequest').map((magic) => [
    code(magic.field), code(magic.value),
    magic.status < 400 ? `${magic.status}, then ${magic.description}` : `${magic.status}, ${magic.description}`,
  ]));
}

function refillMagicValues(document: Json): string {
  // Every refill the sandbox accepts starts `pending`.
  return table(['field', 'value', 'result'], magicValues(document, 'CreateRefillRequest').map((magic) => [
    code(magic.field), code(magic.value),
    `${magic.status} ${code(magic.code ?? 'pending')}, ${magic.description}`,
  ]));
}

function errorCodes(document: Json): string {
  const errorCode = schema(document, 'ErrorCode');
  const statuses = errorCode['x-nimbus-statuses'] as Record<string, number> | undefined;
  const when = errorCode['x-nimbus-when'] as Record<string, string> | undefined;
  if (statuses === undefined || when === undefined) throw new Error('spec: ErrorCode lacks x-nimbus-statuses or x-nimbus-when');
  return table(['status', 'code', 'when'], (errorCode.enum as string[]).map((name) => {
    if (statuses[name] === undefined || when[name] === undefined) throw new Error(`spec: ErrorCode ${name} lacks a status or a when`);
    return [String(statuses[name]), code(name), when[name]];
  }));
}

const TABLES: Record<string, (document: Json) => string> = {
  'order-magic-values': orderMagicValues,
  'refill-magic-values': refillMagicValues,
  'error-codes': errorCodes,
};

/** `readme` with every generated table rewritten from `document`; throws on an unknown or missing marker. */
export function renderReadmeTables(readme: string, document: Json): string {
  const seen = new Set<string>();
  const rendered = readme.replace(/(<!-- generated: ([\w-]+) -->\n)[\s\S]*?(<!-- \/generated -->)/g, (_, open: string, name: string, close: string) => {
    const render = TABLES[name];
    if (render === undefined) throw new Error(`README.md: unknown generated table ${name}`);
    seen.add(name);
    return `${open}${render(document)}\n${close}`;
  });
  const missing = Object.keys(TABLES).filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`README.md: no <!-- generated: … --> markers for ${missing.join(', ')}`);
  return rendered;
}

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';
import { possibilitiesOf } from '../src/coverage/possibilities.ts';
import { renderReadmeTables } from './readme-tables.ts';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const specPath = `${root}spec/openapi.yaml`;

const banner = '// Generated from spec/openapi.yaml by `npm run generate`. Do not edit.\n';

/**
 * Everything derived from spec/openapi.yaml: path relative to root → contents. src/ and the
 * contract kit each get their own types and JSON (the kit imports nothing from src/), and the README's
 * generated tables are rewritten in place.
 */
export async function buildSpecArtifacts(): Promise<Map<string, string>> {
  const document = parse(await readFile(specPath, 'utf8'));
  // validate() dereferences in place, so give it a copy and keep the original's $refs.
  await SwaggerParser.validate(structuredClone(document));
  // Checks each operation's x-nimbus-codes against ErrorCode's x-nimbus-statuses, and that coverage can list every possibility.
  possibilitiesOf(document);
  // openapi-typescript 7 would make a property with a default required everywhere outside
  // requestBody; a component a request uses (ShippingAddress.country) must stay optional. Responses
  // list such fields in `required` (Order.shippingAddress), so they stay required there.
  const types = banner + astToString(await openapiTS(document, { alphabetize: false, defaultNonNullable: false }));
  const json = `${JSON.stringify(document, null, 2)}\n`;
  return new Map([
    ['src/generated/openapi.ts', types],
    ['src/generated/spec.json', json],
    ['contract-tests/generated/openapi.ts', types],
    // The kit's own copy, imported rather than read from disk, so a bundle of the kit carries it.
    ['contract-tests/generated/spec.json', json],
    ['README.md', renderReadmeTables(await readFile(`${root}README.md`, 'utf8'), document)],
  ]);
}

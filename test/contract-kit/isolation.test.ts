import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The contract kit can be lifted out of this repository whole: nothing under contract-tests/
 * imports from outside it (src/ above all), except node builtins and packages. The other way
 * round is allowed: `nimbus-sandbox contract` (src/contract-command.ts) imports the kit.
 */

const KIT = fileURLToPath(new URL('../../contract-tests/', import.meta.url));
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;

/** Every module specifier of a source text: static and dynamic imports, re-exports, require. */
function specifiers(source: string): string[] {
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*[,)]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

const builtins = new Set(builtinModules);

/** Why `specifier`, imported by `file`, leaves the kit; undefined when it stays inside or is a builtin or package. */
function escape(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtins.has(specifier)) return undefined;
  let target: string;
  if (specifier.startsWith('.') || specifier.startsWith('/')) target = resolve(dirname(file), specifier);
  else if (specifier.startsWith('file:')) target = fileURLToPath(specifier);
  else if (specifier.startsWith('#')) return `${specifier} is a subpath import of the repository's package.json`;
  else return undefined; // a package
  const inside = relative(KIT, target);
  return inside.startsWith('..') || inside.startsWith(sep) ? `${specifier} resolves to ${relative(join(KIT, '..'), target)}` : undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

describe('the contract kit imports nothing from outside contract-tests/', () => {
  const files = sourceFiles(KIT);

  it('finds the kit\'s files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('has no import or export specifier that leaves contract-tests/', () => {
    const escapes = files.flatMap((file) => specifiers(readFileSync(file, 'utf8'))
      .map((specifier) => escape(file, specifier))
      .filter((reason) => reason !== undefined)
      .map((reason) => `${relative(KIT, file)}: ${reason}`));
    expect(escapes).toEqual([]);
  });

  it('would notice an import from src/ (the scan itself works)', () => {
    const file = join(KIT, 'kit', 'client.ts');
    const cases: Array<[string, boolean]> = [
      ["import type { components } from '../../src/generated/openapi.ts';", true],
      ["export { ERROR_STATUS } from '../../src/errors.ts';", true],
      ["import '../../src/cli.ts';", true],
      ["const spec = await import('../../src/spec.ts');", true],
      ["import {\n  a,\n  b,\n} from './spec.ts';", false],
      ["import type { components } from '../generated/openapi.ts';", false],
      ["import { readFileSync } from 'node:fs';", false],
      ["import fc from 'fast-check';", false],
    ];
    for (const [source, escapes] of cases) {
      const found = specifiers(source);
      expect(found, source).toHaveLength(1);
      expect(escape(file, found[0]!) !== undefined, source).toBe(escapes);
    }
  });
});

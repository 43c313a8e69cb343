/**
 * The installed package's own files: its version and the spec as published. Found by walking up
 * from this module to the package.json named nimbus-sandbox, so it works from src/ (tsx), from the
 * bundle in dist/ and from node_modules alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'nimbus-sandbox';

/** The nearest directory at or above `from`'s holding the package's package.json; throws if none does. */
export function findPackageRoot(from: string): string {
  for (let directory = dirname(from); ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

let root: string | undefined;
const packageRoot = (): string => (root ??= findPackageRoot(fileURLToPath(import.meta.url)));

let version: string | undefined;

/** The package's version, from its package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

let specText: string | undefined;

/** spec/openapi.yaml as the package ships it, byte for byte. */
export function specYaml(): string {
  specText ??= readFileSync(join(packageRoot(), 'spec', 'openapi.yaml'), 'utf8');
  return specText;
}

/** The package's demo data (`--fixtures demo`, exported as nimbus-sandbox/fixtures/demo.json). */
export function demoFixturesPath(): string {
  return join(packageRoot(), 'fixtures', 'demo.json');
}

/**
 * The built pages' files (dashboard, docs, their scripts and styles): dist/assets of the package,
 * made by `npm run build`; from a source checkout it exists only once built.
 */
export function assetsDirectory(): string {
  return join(packageRoot(), 'dist', 'assets');
}

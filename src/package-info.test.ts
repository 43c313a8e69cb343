import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageRoot, packageVersion, specYaml } from './package-info.ts';

const ROOT = new URL('../', import.meta.url);

describe('the package\'s own files', () => {
  it('reads the version from package.json', () => {
    expect(packageVersion()).toBe((JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string }).version);
  });

  it('reads spec/openapi.yaml byte for byte', () => {
    expect(specYaml()).toBe(readFileSync(new URL('spec/openapi.yaml', ROOT), 'utf8'));
  });

  it('finds the package above a bundle in dist/ inside node_modules, past another package\'s package.json', () => {
    const project = mkdtempSync(join(tmpdir(), 'nimbus-root-'));
    const installed = join(project, 'node_modules', 'nimbus-sandbox');
    mkdirSync(join(installed, 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"my-app"}');
    writeFileSync(join(installed, 'package.json'), '{"name":"nimbus-sandbox","version":"9.9.9"}');
    writeFileSync(join(installed, 'dist', 'chunks', 'package.json'), '{"type":"module"}');
    expect(findPackageRoot(join(installed, 'dist', 'chunks', 'cli.js'))).toBe(installed);
    expect(() => findPackageRoot(join(project, 'index.js'))).toThrow('no package.json of nimbus-sandbox above');
  });
});

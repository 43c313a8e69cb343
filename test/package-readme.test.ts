import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The README's TypeScript examples, in order. */
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^```ts\n([^]*?)^```$/gm)].map((match) => match[1]!);

describe("the README's TypeScript examples", () => {
  it('are there to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it('type-check under strict tsc against the package installed from its tarball', () => {
    // Inside the project that installed the tarball: `nimbus-sandbox` and its dependencies resolve as a user's would.
    const dir = join(inject('installedProject'), 'readme-examples');
    mkdirSync(dir);
    const files = blocks.map((_, index) => `readme-block-${index + 1}.ts`);
    blocks.forEach((text, index) => writeFileSync(join(dir, files[index]!), text));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-examples', type: 'module', private: true }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'] },
      files,
    }));
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});

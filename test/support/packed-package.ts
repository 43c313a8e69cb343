import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** nimbus-sandbox-<version>.tgz, packed by `npm pack` from a fresh build of the current source. */
    packedTarball: string;
    /** A project with the tarball installed by npm (dependencies only); tests write their files in subfolders of it. */
    installedProject: string;
    /** What npm printed while installing the tarball there. */
    installOutput: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One build, one `npm pack` and one install for every packaging test file, in vitest's main
 * process before any of them runs: files building dist/ side by side would remove each other's
 * output. `npm pack` builds through the package's own prepack script, as a release would.
 */
export default function setup(project: TestProject): () => void {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const temp = mkdtempSync(join(tmpdir(), 'nimbus-packed-'));
  execFileSync('npm', ['pack', '--pack-destination', temp], { cwd: ROOT, stdio: 'pipe' });
  const tarball = join(temp, `${manifest.name}-${manifest.version}.tgz`);

  const installed = join(temp, 'project');
  mkdirSync(join(installed, 'node_modules', '@types'), { recursive: true });
  writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'nimbus-consumer', version: '1.0.0', type: 'module', private: true }));
  const npm = ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball];
  const install = spawnSync('npm', npm, { cwd: installed, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'notice' } });
  const installOutput = install.stdout + install.stderr;
  if (install.status !== 0) throw new Error(`npm ${npm.join(' ')} failed:\n${installOutput}`);
  // For TypeScript consumers' `types: ["node"]`; not something the package provides.
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(installed, 'node_modules/@types/node'), 'dir');

  project.provide('packedTarball', tarball);
  project.provide('installedProject', installed);
  project.provide('installOutput', installOutput);
  return () => rmSync(temp, { recursive: true, force: true });
}

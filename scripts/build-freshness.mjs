import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the bundle is made from; a directory's own time moves when a file in it is added, removed or renamed. */
const INPUTS = ['src', 'spec', 'contract-tests', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs', 'scripts/build-freshness.mjs'];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/**
 * True when every bundle in `outdir` was written after the last change to its sources, so
 * `npm start` can skip the build. The oldest bundle counts, as a build stopped halfway leaves old ones.
 */
export function bundleIsFresh(outdir) {
  const bundles = existsSync(outdir) ? readdirSync(outdir).filter((name) => name.endsWith('.js')) : [];
  if (bundles.length === 0) return false;
  const built = Math.min(...bundles.map((name) => statSync(join(outdir, name)).mtimeMs));
  return built > Math.max(...INPUTS.map(newestChange));
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * `npm pack` packs package.json as it is on disk. Its `prepare` script is what builds a git
 * install (npm runs it in the clone, with dev dependencies), but inside a tarball it can only
 * make npm warn about install scripts: prepack takes it out, postpack puts the file back.
 */
const MANIFEST = 'package.json';
const KEPT = 'node_modules/.cache/nimbus-sandbox/package.json';

function restore() {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST);
}

const action = process.argv[2];
if (action === 'strip') {
  restore(); // a pack that failed halfway left its copy
  const text = readFileSync(MANIFEST, 'utf8');
  mkdirSync('node_modules/.cache/nimbus-sandbox', { recursive: true });
  writeFileSync(KEPT, text);
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (action === 'restore') {
  restore();
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}

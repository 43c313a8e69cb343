import { rmSync } from 'node:fs';
import { bundleIsFresh } from './build-freshness.mjs';

// `npm start` builds only when a source changed; esbuild is loaded only then.
if (!process.argv.includes('--force') && bundleIsFresh('dist')) process.exit(0);
const { build } = await import('esbuild');

// Old chunks would otherwise pile up in dist/ and be packed.
rmSync('dist', { recursive: true, force: true });

// One bundled file per entry starts faster than thousands of module reads.
await build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', contract: 'contract-tests/contract.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __nimbusCreateRequire } from 'node:module'; const require = __nimbusCreateRequire(import.meta.url);" },
});

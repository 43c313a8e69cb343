import { copyFileSync, rmSync } from 'node:fs';
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

// The dashboard: a browser bundle and its page, served from dist/assets/ by GET /sandbox/dashboard.
await build({
  entryPoints: { dashboard: 'src/dashboard/main.ts' },
  outdir: 'dist/assets',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
});
for (const file of ['dashboard.html', 'dashboard.css', 'favicon.svg']) copyFileSync(`src/dashboard/${file}`, `dist/assets/${file}`);

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

// The docs page: its two files, and Redoc's standalone bundle (a devDependency: copied here, never loaded by Node).
mkdirSync('dist/assets', { recursive: true });
const redocBundles = join(dirname(createRequire(import.meta.url).resolve('redoc/package.json')), 'bundles');
copyFileSync(join(redocBundles, 'redoc.standalone.js.LICENSE.txt'), 'dist/assets/redoc.standalone.js.LICENSE.txt');
// Its sidebar shows a logo from Redocly's CDN: with no address the image fails at once and Redoc drops it, so nothing leaves the machine.
const CDN_LOGO = '"https://cdn.redoc.ly/redoc/logo-mini.svg"';
const redoc = readFileSync(join(redocBundles, 'redoc.standalone.js'), 'utf8');
if (redoc.split(CDN_LOGO).length !== 2) throw new Error(`build: redoc.standalone.js no longer names ${CDN_LOGO} once; check what this Redoc fetches`);
writeFileSync('dist/assets/redoc.standalone.js', redoc.replace(CDN_LOGO, '""'));
for (const name of ['docs.html', 'docs.js']) copyFileSync(join('src/docs', name), join('dist/assets', name));

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

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * nimbus-sandbox as a dependency: what installing its packed tarball gives a project. The build,
 * the tarball and its install come from test/support/packed-package.ts, so they are of the current source.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = (path: string) => join(ROOT, path);
const manifest = JSON.parse(readFileSync(at('package.json'), 'utf8')) as {
  name: string;
  version: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
};

type PackageModule = typeof import('../src/index.ts');
let dist: PackageModule;
let temp: string;

beforeAll(async () => {
  dist = await import(pathToFileURL(at('dist/index.js')).href) as PackageModule;
  temp = mkdtempSync(join(tmpdir(), 'nimbus-package-'));
});

afterAll(() => {
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

/** Every path the manifest publishes as an entry point: main, types, bin and exports. */
function entryPoints(): string[] {
  const exported = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
  return [manifest.main, manifest.types, ...Object.values(manifest.bin), ...exported].map((path) => path.replace(/^\.\//, ''));
}

/** A folder inside the project that installed the packed tarball, so `nimbus-sandbox` resolves as it would for a user. */
function consumerProject(name: string, files: Record<string, string>): string {
  const dir = join(inject('installedProject'), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', private: true }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, [at('dist/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
}

describe('the built library, dist/index.js', () => {
  it('exports createSandbox, verifyWebhookSignature and loadFixtures as functions', () => {
    expect([typeof dist.createSandbox, typeof dist.verifyWebhookSignature, typeof dist.loadFixtures]).toEqual(['function', 'function', 'function']);
  });

  it('builds a sandbox that serves the published test order', async () => {
    const sandbox = dist.createSandbox({ rateLimit: false, sweepIntervalMs: 0 });
    try {
      const response = await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': 'test' } });
      expect(response.status).toBe(200);
      expect((await response.json() as { status: string }).status).toBe('processing');
    } finally {
      sandbox.close();
    }
  });

  it('finds its version and spec from dist/: /sandbox/health and /sandbox/openapi.yaml', async () => {
    const sandbox = dist.createSandbox({ sweepIntervalMs: 0 });
    try {
      const health = await (await sandbox.request('/sandbox/health')).json() as { version: string };
      expect(health.version).toBe(manifest.version);
      expect(await (await sandbox.request('/sandbox/openapi.yaml')).text()).toBe(readFileSync(at('spec/openapi.yaml'), 'utf8'));
    } finally {
      sandbox.close();
    }
  });

  it('loads the published demo fixtures into a sandbox under sk_test_demo', async () => {
    const sandbox = dist.createSandbox({ fixtures: dist.loadFixtures(at('fixtures/demo.json')), seed: 7, clockMode: 'virtual', sweepIntervalMs: 0 });
    try {
      const response = await sandbox.request('/orders/ord_demo_001', { headers: { 'X-API-Key': 'sk_test_demo' } });
      expect(response.status).toBe(200);
      expect((await response.json() as { status: string }).status).toBe('delivered');
    } finally {
      sandbox.close();
    }
  });

  it('posts a signed webhook to a receiver over HTTP with its default sender', async () => {
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      request.on('end', () => { bodies.push(body); response.writeHead(204).end(); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const sandbox = dist.createSandbox({ rateLimit: false, sweepIntervalMs: 0 });
    const headers = { 'X-API-Key': 'test', 'Content-Type': 'application/json' };
    try {
      const endpoint = await sandbox.request('/sandbox/webhook-endpoints', { method: 'POST', headers, body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks` }) });
      const { id } = await endpoint.json() as { id: string };
      await sandbox.request('/webhooks/test', { method: 'POST', headers, body: '{}' });
      let deliveries: Array<{ succeeded: boolean; error: string | null }> = [];
      for (let tries = 0; tries < 100 && deliveries.length === 0; tries++) {
        await new Promise((resolve) => setImmediate(resolve));
        await sandbox.sweep();
        deliveries = (await (await sandbox.request(`/sandbox/webhook-endpoints/${id}/deliveries`, { headers })).json() as { data: typeof deliveries }).data;
      }
      expect(deliveries).toMatchObject([{ succeeded: true, error: null }]);
      expect(JSON.parse(bodies[0]!)).toMatchObject({ type: 'order.created' });
    } finally {
      await sandbox.close();
      receiver.close();
    }
  });

  it('verifies a webhook signature made with node:crypto, and refuses it for another body', () => {
    const body = '{"id":"evt_1","type":"order.created"}';
    const signature = createHmac('sha256', 'whsec_test').update(body).digest('hex');
    expect([dist.verifyWebhookSignature(body, signature, 'whsec_test'), dist.verifyWebhookSignature(`${body} `, signature, 'whsec_test')]).toEqual([true, false]);
  });

  it('throws its own FixtureError for a broken fixture file', () => {
    const path = join(temp, 'broken.json');
    writeFileSync(path, '{ not json');
    expect(() => dist.loadFixtures(path)).toThrow(dist.FixtureError);
  });
});

describe('the package as a dependency', () => {
  it('points main, types, bin and every export at a file that exists after the build', () => {
    expect(entryPoints().filter((path) => !existsSync(at(path)))).toEqual([]);
  });

  it('packs every entry point into the published tarball', () => {
    const files = new Set(execFileSync('tar', ['-tzf', inject('packedTarball')], { encoding: 'utf8' }).split('\n').map((path) => path.replace(/^package\//, '')));
    expect(entryPoints().filter((path) => !files.has(path))).toEqual([]);
  });

  it('packs the docs page with its renderer, and serves them from the installed package without a key', () => {
    const files = new Set(execFileSync('tar', ['-tzf', inject('packedTarball')], { encoding: 'utf8' }).split('\n'));
    expect(['docs.html', 'docs.js', 'redoc.standalone.js', 'redoc.standalone.js.LICENSE.txt'].filter((name) => !files.has(`package/dist/assets/${name}`))).toEqual([]);
    const script = join(inject('installedProject'), 'serves-docs.mjs');
    writeFileSync(script, [
      "import { createSandbox } from 'nimbus-sandbox';",
      'const sandbox = createSandbox({ sweepIntervalMs: 0 });',
      "const answers = await Promise.all(['/sandbox/docs', '/sandbox/assets/redoc.standalone.js'].map((path) => sandbox.request(path)));",
      'sandbox.close();',
      "console.log(JSON.stringify(answers.map((answer) => [answer.status, answer.headers.get('content-type')])));",
    ].join('\n'));
    const output = execFileSync(process.execPath, [script], { cwd: inject('installedProject'), encoding: 'utf8', timeout: 15_000 });
    expect(JSON.parse(output)).toEqual([[200, 'text/html; charset=utf-8'], [200, 'text/javascript; charset=utf-8']]);
  });

  it('packs a LICENSE of the license package.json names', () => {
    const license = execFileSync('tar', ['-xzOf', inject('packedTarball'), 'package/LICENSE'], { encoding: 'utf8' });
    expect([(manifest as { license?: string }).license, license.split('\n')[0]]).toEqual(['MIT', 'MIT License']);
  });

  it('installs from its tarball with no warning from npm, carrying no install-time script', () => {
    expect(inject('installOutput')).not.toMatch(/warn/i);
    const installed = JSON.parse(readFileSync(join(inject('installedProject'), 'node_modules', manifest.name, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(Object.keys(installed.scripts ?? {}).filter((script) => /^(pre|post)?(install|prepare)$/.test(script))).toEqual([]);
  });

  it('is ESM only: require() fails, import() from CommonJS works', () => {
    const dir = consumerProject('commonjs-consumer', {
      'main.cjs': [
        "let required = 'loaded';",
        "try { require('nimbus-sandbox'); } catch (error) { required = error.code; }",
        "import('nimbus-sandbox').then(({ createSandbox }) => console.log(JSON.stringify({ required, imported: typeof createSandbox })));",
      ].join('\n'),
    });
    const output = execFileSync(process.execPath, ['main.cjs'], { cwd: dir, encoding: 'utf8', timeout: 15_000 });
    expect(JSON.parse(output)).toEqual({ required: 'ERR_PACKAGE_PATH_NOT_EXPORTED', imported: 'function' });
  });

  it('resolves by package name through its exports map, under plain Node', () => {
    const dir = consumerProject('import-consumer', {
      'main.js': [
        "import { createSandbox, loadFixtures, verifyWebhookSignature } from 'nimbus-sandbox';",
        "import { createRequire } from 'node:module';",
        "const require = createRequire(import.meta.url);",
        "const demo = require.resolve('nimbus-sandbox/fixtures/demo.json');",
        "const sandbox = createSandbox({ fixtures: loadFixtures(demo), seed: 7, clockMode: 'virtual', sweepIntervalMs: 0 });",
        "const response = await sandbox.request('/sandbox/clock', { headers: { 'X-API-Key': 'sk_test_demo' } });",
        'sandbox.close();',
        "console.log(JSON.stringify({ verify: typeof verifyWebhookSignature, status: response.status, now: (await response.json()).now }));",
      ].join('\n'),
    });
    const output = execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8', timeout: 15_000 });
    expect(JSON.parse(output)).toEqual({ verify: 'function', status: 200, now: '2025-02-03T15:00:00Z' });
  });

  it('type-checks a TypeScript project that imports it, and refuses an unknown option', () => {
    const dir = consumerProject('types-consumer', {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'] },
        files: ['main.ts'],
      }),
      'main.ts': [
        "import { createSandbox, loadFixtures, verifyWebhookSignature, type Fixtures, type Order, type SandboxOptions } from 'nimbus-sandbox';",
        "const fixtures: Fixtures = loadFixtures('fixtures/demo.json');",
        "const options: SandboxOptions = { fixtures, seed: 7, clockMode: 'virtual' };",
        'const sandbox = createSandbox(options);',
        "const status: Order['status'] = 'shipped';",
        "const verified: boolean = verifyWebhookSignature('{}', null, 'secret');",
        '// @ts-expect-error: not an option, so the types are real rather than any',
        'createSandbox({ noSuchOption: true });',
        'sandbox.close();',
        'export { status, verified };',
      ].join('\n'),
    });
    const run = spawnSync(process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});

describe('the declarations, dist/types', () => {
  it('include index.d.ts', () => {
    expect(existsSync(at('dist/types/index.d.ts'))).toBe(true);
  });

  it('import nothing by a .ts specifier from index.d.ts', () => {
    expect(readFileSync(at('dist/types/index.d.ts'), 'utf8')).not.toMatch(/\.ts['"]/);
  });
});

describe('the built command, dist/cli.js', () => {
  it('starts with a node shebang, so npm can link it as the nimbus-sandbox bin', () => {
    expect(readFileSync(at(manifest.bin['nimbus-sandbox']!), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints the package\'s version for --version', () => {
    const run = runCli(['--version']);
    expect([run.status, run.stdout]).toEqual([0, `${manifest.version}\n`]);
  });

  it('exits 0 for --help and documents --fixtures and its demo shortcut', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('--fixtures FILE Load a fixture file\'s data under its API key; `demo` for the bundled demo data');
  });

  it('exits 2 for a corrupted fixture file, naming the record and the field, and how to fix it', () => {
    const path = join(temp, 'corrupted-demo.json');
    const document = JSON.parse(readFileSync(at('fixtures/demo.json'), 'utf8'));
    document.orders[3].shippingAddress.zip = '7870';
    writeFileSync(path, JSON.stringify(document, null, 2));
    const run = runCli(['--fixtures', path, '--port', '0']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--fixtures: ${path}: orders[3] (ord_demo_004): shippingAddress.zip: Invalid ZIP code format. Fix that field`);
  });

  it('exits 2 for a mistyped fixture path, saying there is no such file and offering --fixtures demo', () => {
    const path = join(temp, 'no-such-fixtures.json');
    const run = runCli(['--fixtures', path, '--port', '0']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--fixtures: no fixture file at ${path}. Check the path, or pass --fixtures demo`);
    expect(run.stderr).not.toContain('npm run fixtures');
  });

  it('exits 2 for a directory, and for a file that is not JSON, saying so', () => {
    const notJson = join(temp, 'not-json.json');
    writeFileSync(notJson, '{\n  "format" 1\n}');
    expect([runCli(['--fixtures', temp]), runCli(['--fixtures', notJson])].map((run) => [run.status, run.stderr.split('\n')[0]])).toEqual([
      [2, `nimbus-sandbox: --fixtures: ${temp} is a directory, not a fixture file. Pass a fixture file (JSON) in it, or --fixtures demo for the bundled demo data.`],
      [2, `nimbus-sandbox: --fixtures: ${notJson} is not valid JSON: Expected ':' after property name at line 2, column 12. Fix the file there, or start again from a copy of nimbus-sandbox/fixtures/demo.json.`],
    ]);
  });

  it('loads the bundled demo data for --fixtures demo, run from dist/ or installed from the tarball, in any folder', async () => {
    const elsewhere = consumerProject('demo-fixtures', {});
    const installedBin = join(inject('installedProject'), 'node_modules', '.bin', 'nimbus-sandbox');
    const starts = await Promise.all([
      firstLines(process.execPath, [at('dist/cli.js'), '--fixtures', 'demo', '--port', '0'], elsewhere),
      firstLines(installedBin, ['--fixtures', 'demo', '--port', '0'], elsewhere),
    ]);
    expect(starts.map((lines) => lines[1])).toEqual(Array(2).fill('Demo data: 27 orders and 10 refills under X-API-Key: sk_test_demo'));
  });
});

/** The first two lines a command prints on stdout (it is stopped then), or its stderr if it exits first. */
function firstLines(command: string, args: string[], cwd: string): Promise<string[]> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      if (lines.length > 2) {
        child.kill('SIGKILL');
        resolve(lines.slice(0, 2));
      }
    });
    child.on('exit', () => resolve([stdout, stderr]));
  });
}

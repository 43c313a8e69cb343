import { serve } from '@hono/node-server';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { allChecks } from '../contract-tests/checks/index.ts';
import { brokenServers, brokenTarget } from './contract-kit/broken-servers.ts';
import { elementsNamed, parseXml } from './contract-kit/xml.ts';

/*
 * `nimbus-sandbox contract` as a team certifying an implementation in CI gets it: from the packed
 * tarball installed into an empty project, with none of this repository's dev dependencies.
 */

/** Broken servers the installed command must fail with exit code 1, each picked by the check that catches it: one line each. */
const MUST_FAIL = [
  { caughtBy: 'idempotency/replay-returns-the-first-answer-byte-for-byte', rule: 'a replay carries a new order id' },
  { caughtBy: 'webhooks/signatures-verify-with-the-endpoint-secret', rule: 'webhook signatures do not verify: signed with another secret' },
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let project: string;
let sandbox: ChildProcess | undefined;
let sandboxUrl: string;

/** The installed package's own server on a free port. */
async function startInstalledSandbox(): Promise<string> {
  sandbox = spawn(process.execPath, [join(inject('installedProject'), 'node_modules', '.bin', 'nimbus-sandbox'), '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  return new Promise((resolve, reject) => {
    sandbox!.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined) resolve(url);
    });
    sandbox!.once('exit', (code) => reject(new Error(`the installed sandbox exited (${code}) before listening`)));
  });
}

/** `npx nimbus-sandbox …` in the project; asynchronous, as some targets are served by this process. */
function npx(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('npx', ['--no', 'nimbus-sandbox', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NIMBUS_BASE_URL: '', NIMBUS_API_KEY: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  // The tarball installed once for every packaging test (test/support/packed-package.ts); this file writes in a folder of its own.
  project = join(inject('installedProject'), 'certify');
  mkdirSync(project);
  sandboxUrl = await startInstalledSandbox();
}, 30_000);

afterAll(() => {
  sandbox?.kill('SIGKILL');
});

describe('npx nimbus-sandbox contract, installed from the packed tarball', () => {
  test('the project has none of the kit\'s dev dependencies: the command carries them bundled', () => {
    expect(['fast-check', 'yaml', 'vitest', 'tsx'].filter((name) => existsSync(join(inject('installedProject'), 'node_modules', name)))).toEqual([]);
  });

  test('--base-url URL --junit out.xml against a running sandbox: every check passes, the JUnit file is written, exit code 0', async () => {
    const run = await npx(['contract', '--base-url', sandboxUrl, '--junit', 'out.xml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`${allChecks.length} passed, 0 failed, 0 skipped`);
    const suites = parseXml(readFileSync(join(project, 'out.xml'), 'utf8'));
    expect(suites.attributes).toMatchObject({ tests: String(allChecks.length), failures: '0', errors: '0', skipped: '0' });
    expect(elementsNamed(suites, 'testcase')).toHaveLength(allChecks.length);
  }, 60_000);

  for (const { caughtBy, rule } of MUST_FAIL) {
    test(`exit code 1 against a server where ${rule}, failing ${caughtBy}`, async () => {
      const broken = brokenServers.find((server) => server.caughtBy === caughtBy && server.rule === rule);
      expect(broken, `no broken server "${rule}" caught by ${caughtBy}`).toBeDefined();
      const target = brokenTarget(broken);
      const server = await new Promise<Server>((resolve) => {
        const started = serve({ fetch: target.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server)) as Server;
      });
      try {
        const run = await npx(['contract', '--base-url', `http://127.0.0.1:${(server.address() as AddressInfo).port}`]);
        expect(run.status).toBe(1);
        expect(run.stdout).toContain(`\nFAIL  ${caughtBy}\n`);
        expect(run.stdout).toMatch(/\n\d+ passed, [1-9]\d* failed, \d+ skipped\n$/);
      } finally {
        server.closeAllConnections();
        server.close();
        await target.close();
      }
    }, 60_000);
  }

  test('exit code 2, said once, against a target that cannot be reached', async () => {
    const run = await npx(['contract', '--base-url', 'http://127.0.0.1:9']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('import { runContract } from \'nimbus-sandbox/contract\'', () => {
  test('runs under plain Node and returns the outcomes and counts', () => {
    writeFileSync(join(project, 'certify.js'), [
      "import { runContract } from 'nimbus-sandbox/contract';",
      `const result = await runContract({ baseUrl: ${JSON.stringify(sandboxUrl)}, only: 'orders/', output: { log() {}, error: console.error } });`,
      'console.log(JSON.stringify({ exitCode: result.exitCode, passed: result.passed, checks: result.outcomes.map((outcome) => outcome.checkName) }));',
    ].join('\n'));
    const output = execFileSync(process.execPath, ['certify.js'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    const orderChecks = allChecks.map((check) => check.checkName).filter((name) => name.startsWith('orders/'));
    expect(JSON.parse(output)).toEqual({ exitCode: 0, passed: orderChecks.length, checks: expect.arrayContaining(orderChecks) });
  });

  test('type-checks, without skipLibCheck, refusing an unknown option', () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'] },
      files: ['certify.ts'],
    }));
    writeFileSync(join(project, 'certify.ts'), [
      "import { runContract, type ContractResult, type Outcome } from 'nimbus-sandbox/contract';",
      "const result: ContractResult = await runContract({ baseUrl: 'http://127.0.0.1:4010', apiKey: 'sk_test', junitFile: 'out.xml', only: 'orders/', seed: 1 });",
      'const failed: Outcome[] = result.outcomes.filter((outcome) => outcome.status === \'failed\');',
      '// @ts-expect-error: not an option, so the types are real rather than any',
      "await runContract({ baseUrl: 'http://127.0.0.1:4010', noSuchOption: true });",
      'export { failed };',
    ].join('\n'));
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});

describe('npx nimbus-sandbox coverage, installed from the packed tarball', () => {
  test('reads the key\'s coverage from the installed sandbox: --json as served, --junit a testcase per possibility, --fail-under', async () => {
    const key = 'sk_test_installed_coverage';
    expect((await fetch(`${sandboxUrl}/orders/ord_1234567890`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    const served = await (await fetch(`${sandboxUrl}/sandbox/coverage`, { headers: { 'X-API-Key': key } })).json() as { summary: { seen: number; total: number } };
    expect(served.summary.seen).toBe(1);
    const run = await npx(['coverage', '--base-url', sandboxUrl, '--api-key', key, '--json', '--junit', 'coverage.xml', '--fail-under', '50']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 1, stderr: `nimbus-sandbox coverage: Under --fail-under 50%: Coverage: 1 of ${served.summary.total} (${(100 / served.summary.total).toFixed(1)}%).\n` });
    expect(JSON.parse(run.stdout)).toEqual(served);
    const suites = parseXml(readFileSync(join(project, 'coverage.xml'), 'utf8'));
    expect(suites.attributes).toMatchObject({ tests: String(served.summary.total), failures: String(served.summary.total - 1), errors: '0' });
    expect(elementsNamed(suites, 'testcase').filter((testcase) => elementsNamed(testcase, 'failure').length === 0).map((testcase) => testcase.attributes.name)).toEqual(['responses/getOrder 200']);
  }, 30_000);
});

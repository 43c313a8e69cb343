import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { allChecks } from '../contract-tests/checks/index.ts';
import { elementsNamed, parseXml } from './contract-kit/xml.ts';

/*
 * `npm run contract` from a clone: the whole kit over HTTP against the sandbox from source,
 * through src/cli.ts's dispatch of `contract`.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'nimbus-contract-command-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('tsx src/cli.ts contract (npm run contract)', () => {
  test('passes every check against the sandbox it starts, and writes the JUnit file NIMBUS_CONTRACT_JUNIT names', () => {
    const junit = join(temp, 'contract.xml');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'contract'], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NIMBUS_BASE_URL: '', NIMBUS_CONTRACT_JUNIT: junit },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`${allChecks.length} passed, 0 failed, 0 skipped`);
    const cases = elementsNamed(parseXml(readFileSync(junit, 'utf8')), 'testcase');
    // Node orders a module's exports by name, vitest as written: the same checks, maybe not in the same order.
    expect(cases.map((element) => element.attributes.name).sort()).toEqual(allChecks.map((check) => check.checkName).sort());
  }, 60_000);

  test('stdout closed early (`… | head -1`): stops quietly, exit code 2 (not 1, "a check failed")', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'contract', '--only', 'orders/'], {
      cwd: ROOT, env: { ...process.env, NIMBUS_BASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
  }, 60_000);
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSandbox } from '../src/sandbox.ts';

/* `nimbus-sandbox coverage` through src/cli.ts's dispatch, against a sandbox served by this process. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_test_cli_coverage';
const sandbox = createSandbox();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: sandbox.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server)) as Server;
  });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  expect((await fetch(`${baseUrl}/orders/ord_1234567890`, { headers: { 'X-API-Key': KEY } })).status).toBe(200);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sandbox.close();
});

function run(args: string[], closeStdoutEarly = false) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'coverage', ...args], {
    cwd: ROOT, env: { ...process.env, NIMBUS_BASE_URL: baseUrl, NIMBUS_API_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  if (closeStdoutEarly) child.stdout.once('data', () => child.stdout.destroy());
  return once(child, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }));
}

describe('tsx src/cli.ts coverage', () => {
  test('reads the key of NIMBUS_API_KEY from the sandbox of NIMBUS_BASE_URL; under --fail-under, exit code 1', async () => {
    const { code, stdout, stderr } = await run(['--fail-under', '100']);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout).toMatch(/^Never met \(\d+ of \d+\):\n/);
    expect(stdout).toMatch(/\nMet \(1 of \d+\):\n {2}Responses\n {4}getOrder\n {6}200: 1 time\n/);
    expect(stdout).toMatch(/\nCoverage: 1 of \d+ \(\d+\.\d%\)\nUnder --fail-under 100%/);
  }, 30_000);

  test('stdout closed early (`… | head -1`): stops quietly', async () => {
    const { code, stderr } = await run([], true);
    expect(stderr).toBe('');
    expect([0, 2]).toContain(code);
  }, 30_000);
});

import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { allChecks } from '../contract-tests/checks/index.ts';
import { contractCommand } from './contract-command.ts';
import { helpText } from './options.ts';

async function command(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await contractCommand(argv, env, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
  return { code, stdout, stderr };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('nimbus-sandbox contract', () => {
  test('without --base-url: checks a sandbox it serves on loopback for the run, then stops it', async () => {
    const { code, stdout, stderr } = await command(['--only', 'orders/']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const baseUrl = /^Started a sandbox in this process at (http:\/\/127\.0\.0\.1:\d+) for this run/.exec(stdout)?.[1];
    expect(stdout).toContain(`Contract target ${baseUrl}; it offers:`);
    const orderChecks = allChecks.filter((check) => check.checkName.startsWith('orders/')).length;
    expect(stdout).toMatch(new RegExp(`\n${orderChecks} passed, 0 failed, 0 skipped\n$`));
    await expect(fetch(`${baseUrl}/orders/ord_1234567890`)).rejects.toThrow();
  });

  test('a target that cannot be reached: one line on stderr, exit code 2', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await command([], { NIMBUS_BASE_URL: `http://127.0.0.1:${port}` });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^nimbus-sandbox contract: cannot reach the target http://127\\.0\\.0\\.1:${port} \\(fetch failed: .*ECONNREFUSED.*\\): is it running, and is --base-url right\\? No check was run\\.\\n$`));
  });

  test.each([
    [['--seed', 'abc'], '--seed must be a whole number from -2147483648 to 2147483647, not "abc"'],
    [['--only', 'no-such-check'], 'no check matches --only "no-such-check"; the checks\' names start with auth/'],
    [['serve'], '"serve" is not an option; every setting is a --flag'],
  ])('usage error %j: the message and where to look on stderr, nothing started, exit code 2', async (argv, message) => {
    const { code, stdout, stderr } = await command(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(`nimbus-sandbox contract: ${message}`);
    expect(stderr).toMatch(/\nRun nimbus-sandbox contract --help to see the options\.\n$/);
  });

  test('--help: the usage on stdout, exit code 0', async () => {
    const { code, stdout } = await command(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: nimbus-sandbox contract \[options\]\n/);
  });

  test('nimbus-sandbox --help points to the command', () => {
    expect(helpText()).toMatch(/^ +nimbus-sandbox contract --help +certify an implementation of the API/m);
  });
});

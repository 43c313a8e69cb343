import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fullSuite, recordScript } from './scripted-suite.ts';
import { helpText } from '../../src/options.ts';
import { replayCommand } from '../../src/replay-command.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox.ts';

async function command(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await replayCommand(argv, env, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
  return { code, stdout, stderr };
}

const temp = mkdtempSync(join(tmpdir(), 'nimbus-replay-command-'));
const transcriptFile = join(temp, 'transcript.jsonl');
let sandbox: Sandbox;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  writeFileSync(transcriptFile, await recordScript(fullSuite));
  sandbox = createSandbox({ sweepIntervalMs: 0, webhookSender: async () => ({ status: 200, error: null }) });
  server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: sandbox.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server)) as Server;
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sandbox.close();
  rmSync(temp, { recursive: true, force: true });
});

describe('nimbus-sandbox replay', () => {
  test('a transcript recorded from one sandbox, replayed over HTTP against another: no difference, exit 0', async () => {
    const { code, stdout, stderr } = await command([transcriptFile, '--target', baseUrl]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/ exchanges: (\d+) same, 0 differ \(0 allowed\), 0 skipped\n$/);
  });

  test('--allow FILE: an entry no difference uses is reported, the exit code stays 0; NIMBUS_API_KEY is read but never printed', async () => {
    const allowFile = join(temp, 'allow.jsonl');
    writeFileSync(allowFile, '{"operation":"getOrder","path":"body.status","reason":"drift seen in May"}\n');
    const { code, stdout } = await command([transcriptFile, `--target=${baseUrl}`, '--allow', allowFile], { NIMBUS_API_KEY: 'secret-key-123' });
    expect(code).toBe(0);
    expect(stdout).toContain('unused allow entry (line 1): getOrder body.status: no such difference in this replay');
    expect(stdout).toContain('(the target accepts any key); the --api-key key is not used, so every alias keeps a tenant of its own');
    expect(stdout).not.toContain('secret-key-123');
  });

  test.each([
    [[], 'which transcript? nimbus-sandbox replay FILE --target URL'],
    [['t.jsonl'], '--target URL is required'],
    [['t.jsonl', '--target', 'ftp://x'], '--target must be an http:// or https:// URL'],
    [['t.jsonl', '--target', 'http://me:pa55word@127.0.0.1:1'], '--target must be a URL without credentials (user:password@), not "http://…@127.0.0.1:1/"'],
    [['a.jsonl', 'b.jsonl', '--target', 'http://127.0.0.1:1'], '"b.jsonl" is not an option; every setting is a --flag'],
    [['t.jsonl', '--target', 'http://127.0.0.1:1', '--seed', '1'], 'unknown option --seed; the options are --target, --api-key, --allow, --junit, --request-timeout, --help'],
  ])('usage error %j: the message on stderr, exit 2', async (argv, message) => {
    const { code, stdout, stderr } = await command(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(`nimbus-sandbox replay: ${message}`);
    expect(stderr).toMatch(/\nRun nimbus-sandbox replay --help to see the options\.\n$/);
  });

  test('a transcript that cannot be read, or an allow file that cannot: exit 2, saying which', async () => {
    const missing = await command([join(temp, 'nope.jsonl'), '--target', baseUrl]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nimbus-sandbox replay: cannot read the transcript .*nope\.jsonl: ENOENT/);
    const badAllow = join(temp, 'bad-allow.jsonl');
    writeFileSync(badAllow, '{"operation":"getOrder","path":"status","reason":"ok"}\n[1]\n');
    const invalid = await command([transcriptFile, '--target', baseUrl, '--allow', badAllow]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`nimbus-sandbox replay: the allow list ${badAllow} is invalid at line 2: not a JSON object`);
  });

  test('--help: the usage on stdout, exit 0; nimbus-sandbox --help points to it', async () => {
    const { code, stdout } = await command(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: nimbus-sandbox replay FILE --target URL \[options\]\n/);
    expect(stdout).toContain('--api-key KEY');
    expect(stdout).toContain('(environment: NIMBUS_API_KEY)');
    expect(helpText()).toMatch(/^ +nimbus-sandbox replay --help +compare an implementation with a recorded transcript$/m);
  });
});

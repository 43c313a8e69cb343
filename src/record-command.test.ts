import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { recordCommand } from './record-command.ts';
import { createSandbox } from './sandbox.ts';
import { serveOnFreePort as serveFetch } from './contract-command.ts';

const temp = mkdtempSync(join(tmpdir(), 'nimbus-record-command-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function captured() {
  const io = { out: '', err: '', stdout: (text: string) => { io.out += text; }, stderr: (text: string) => { io.err += text; } };
  return io;
}

describe('nimbus-sandbox record (the command)', () => {
  test('says where it records, records until stopped, then says how many exchanges it wrote', async () => {
    const sandbox = createSandbox();
    const upstream = await serveFetch(sandbox.fetch);
    const io = captured();
    const file = join(temp, 'run.jsonl');
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    const exit = recordCommand(['--upstream', upstream.baseUrl, '--port', '0', '--out', file], {}, io, () => stopped);
    await expect.poll(() => io.out).toMatch(/^Recording /);
    const [, url] = /on (http:\/\/127\.0\.0\.1:\d+) into/.exec(io.out)!;
    expect(io.out).toBe(`Recording ${upstream.baseUrl} on ${url} into ${file}\n`);
    expect((await fetch(`${url}/orders/ord_1234567890`, { headers: { 'X-API-Key': 'sk_test_command' } })).status).toBe(200);
    stop();
    expect(await exit).toBe(0);
    expect(io.out.split('\n').slice(1)).toEqual([expect.stringMatching(/^#1 GET \/orders\/ord_1234567890 → 200 \(\d+ ms\)$/), `Stopped: 1 exchange recorded into ${file}`, '']);
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!)).toMatchObject({ kind: 'transcript', recorder: expect.stringMatching(/^nimbus-sandbox \d+\.\d+\.\d+/) });
    await upstream.stop();
    await sandbox.close();
  });

  test.each([
    [[], /^nimbus-sandbox record: --upstream is needed: the Nimbus sandbox to record/],
    [['--upstream', 'https://user:pw-s3cret@api.example.com'], /--upstream must be a URL without credentials \(user:password@\), not "https:\/\/…@api\.example\.com\/"/],
    [['--upstream', 'http://127.0.0.1:1', '--port', '70000'], /--port must be a port from 0 to 65535, not 70000/],
    [['--upstream', 'http://127.0.0.1:1', 'extra'], /"extra" is not an option/],
  ])('%j is a usage error: exit 2, said on stderr', async (argv, message) => {
    const io = captured();
    expect(await recordCommand(argv, {}, io, async () => {})).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err).toMatch(/Run nimbus-sandbox record --help to see the options\.\n$/);
    expect(io.err).not.toContain('s3cret');
    expect(io.out).toBe('');
  });

  test('a transcript it cannot write is exit 2 with what to do; NIMBUS_UPSTREAM gives the upstream', async () => {
    const io = captured();
    expect(await recordCommand(['--port', '0', '--out', join(temp, 'no-such-dir', 'x.jsonl')], { NIMBUS_UPSTREAM: 'http://127.0.0.1:1' }, io, async () => {})).toBe(2);
    expect(io.err).toMatch(/^nimbus-sandbox record: cannot write the transcript: .*ENOENT.*; pass --out with a file you may write\n$/);
  });

  test('--help lists the flags and what is never written', async () => {
    const io = captured();
    expect(await recordCommand(['--help'], {}, io)).toBe(0);
    for (const flag of ['--upstream URL', '--port PORT', '--host HOST', '--out FILE', '-h, --help']) expect(io.out).toContain(`  ${flag}`);
    expect(io.out).toContain('(environment: NIMBUS_UPSTREAM)');
    expect(io.out).toMatch(/API keys\s+become key#1/);
  });
});

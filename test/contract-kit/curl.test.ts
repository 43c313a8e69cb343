import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { reproduction } from '../../contract-tests/kit/curl.ts';
import fc from 'fast-check';
import { ContractViolation, TargetUnreachable, type Exchange } from '../../contract-tests/kit/exchange.ts';
import { checkProperty } from '../../contract-tests/kit/property.ts';
import { describeOutcome, rerunCommand } from '../../contract-tests/kit/report.ts';

describe('the curl lines of failures', () => {
  const request = { method: 'POST', url: 'http://127.0.0.1:4010/orders', headers: { 'X-API-Key': 'sk_live_very_secret', 'Content-Type': 'application/json' }, body: '{"notes":"it\'s fragile"}' };

  test('the configured key becomes $NIMBUS_API_KEY and is never printed', () => {
    const { definitions, curl } = reproduction([{ ...request, sendsConfiguredKey: true }]);
    expect(definitions).toEqual([]);
    expect(curl[0]).toContain('-H "X-API-Key: $NIMBUS_API_KEY"');
    expect(curl[0]).not.toContain('very_secret');
  });

  test('every other key is a shell variable, defined once before the curl lines, in order of first use', () => {
    const { definitions, curl } = reproduction([
      { ...request, headers: { 'X-API-Key': 'contract-first' } },
      { ...request, headers: { 'X-API-Key': 'contract-sec\'ond' } },
      { ...request, headers: { 'X-API-Key': 'contract-first' } },
    ]);
    expect(definitions).toEqual([`KEY_1='contract-first'`, `KEY_2='contract-sec'\\''ond'`]);
    expect(curl.map((line) => /X-API-Key: \$(\w+)/.exec(line)?.[1])).toEqual(['KEY_1', 'KEY_2', 'KEY_1']);
  });

  test('an empty header is sent empty, in curl\'s `Name;` (curl drops a header given as `Name:` alone)', () => {
    expect(reproduction([{ method: 'GET', url: 'http://h/orders/ord_1', headers: { 'X-API-Key': '', 'Idempotency-Key': '' } }]).curl[0])
      .toBe(`curl -sS -i -g 'http://h/orders/ord_1' -H 'X-API-Key;' -H 'Idempotency-Key;'`);
  });

  test('brackets and braces in a URL reach the target as they are: no URL globbing (-g)', () => {
    expect(reproduction([{ method: 'GET', url: 'http://h/sandbox/orders?status=[a]{b}', headers: {} }]).curl[0]).toBe(`curl -sS -i -g 'http://h/sandbox/orders?status=[a]{b}'`);
  });

  test('the body is quoted for the shell, quotes and all', () => {
    expect(reproduction([request]).curl[0]).toContain(`--data-raw '{"notes":"it'\\''s fragile"}'`);
  });

  test('a GET without body names no method', () => {
    expect(reproduction([{ method: 'GET', url: 'http://h/orders/ord_1', headers: {} }]).curl[0]).toBe(`curl -sS -i -g 'http://h/orders/ord_1'`);
  });

  test('a failure\'s Reproduce block runs as printed in a shell, each key reaching curl as sent', () => {
    const exchange = (key: string, sendsConfiguredKey: boolean): Exchange => ({
      request: { method: 'GET', path: '/orders/ord_1', url: 'http://h/orders/ord_1', headers: { 'X-API-Key': key }, sendsConfiguredKey },
      status: 404, headers: new Headers(), text: '', json: undefined,
    });
    const violation = new ContractViolation('a rule', [exchange('contract-a b', false), exchange('sk_secret', true), exchange('contract-c', false)]);
    expect(violation.message).not.toContain('sk_secret');
    // Each curl becomes `printf` of its key header, so the shell shows what curl would send.
    const script = violation.message.split('\n').slice(2).filter((line) => !line.trim().startsWith('→'))
      .map((line) => line.trim().replace(/^\d+\. /, '').replace(/^curl .* -H ("X-API-Key: \$\w+")$/, 'printf "%s\\n" $1'))
      .join('\n');
    const shown = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, NIMBUS_API_KEY: 'sk_secret' } });
    expect(shown).toBe('X-API-Key: contract-a b\nX-API-Key: sk_secret\nX-API-Key: contract-c\n');
  });
});

describe('the rerun line of a failed property check', () => {
  test('runs as printed: the base URL quoted, the key as $NIMBUS_API_KEY, the settings that were given', () => {
    const command = rerunCommand({ baseUrl: "http://h:1/it's", apiKey: 'sk_secret', lifecycleTimeoutMs: 5000, receiverHost: '10.0.0.5', requestTimeoutMs: 2000, seed: 7, only: 'x' });
    expect(command).not.toContain('sk_secret');
    // The command becomes `printf` of its words, so the shell shows what the command would get.
    const words = execFileSync('sh', ['-c', command.replace(/^nimbus-sandbox contract/, `printf '%s\\n'`)], { encoding: 'utf8', env: { PATH: process.env.PATH, NIMBUS_API_KEY: 'sk_secret' } });
    expect(words.trimEnd().split('\n')).toEqual(['--base-url', "http://h:1/it's", '--api-key', 'sk_secret', '--lifecycle-timeout', '5000', '--receiver-host', '10.0.0.5', '--request-timeout', '2000']);
  });

  test('names no setting that was not given, and follows a command given for the target', () => {
    expect(rerunCommand({ baseUrl: 'http://h:1' })).toBe(`nimbus-sandbox contract --base-url 'http://h:1'`);
    expect(rerunCommand({ apiKey: 'k' }, 'npm run contract --')).toBe('npm run contract -- --api-key "$NIMBUS_API_KEY"');
  });

  test('is not printed when the target stopped answering', async () => {
    const unreachable = new TargetUnreachable('The target could not be reached (no answer within 30 s).');
    const error = await checkProperty({ baseUrl: 'http://h', fetch }, fc.asyncProperty(fc.constant(1), async () => { throw unreachable; }), 1).then(() => new Error('passed'), (caught: Error) => caught);
    expect(error).toBe(unreachable);
    expect(describeOutcome({ checkName: 'area/property', status: 'failed', error, durationMs: 1 }, 'nimbus-sandbox contract')).toBe(`FAIL  area/property\n      ${unreachable.message}`);
  });
});

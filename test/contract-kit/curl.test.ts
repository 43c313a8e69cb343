import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { reproduction } from '../../contract-tests/kit/curl.ts';
import { ContractViolation, type Exchange } from '../../contract-tests/kit/exchange.ts';

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

  test('an empty key stays empty', () => {
    expect(reproduction([{ method: 'GET', url: 'http://h/orders/ord_1', headers: { 'X-API-Key': '' } }]).curl[0]).toBe(`curl -sS -i 'http://h/orders/ord_1' -H 'X-API-Key: '`);
  });

  test('the body is quoted for the shell, quotes and all', () => {
    expect(reproduction([request]).curl[0]).toContain(`--data-raw '{"notes":"it'\\''s fragile"}'`);
  });

  test('a GET without body names no method', () => {
    expect(reproduction([{ method: 'GET', url: 'http://h/orders/ord_1', headers: {} }]).curl[0]).toBe(`curl -sS -i 'http://h/orders/ord_1'`);
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

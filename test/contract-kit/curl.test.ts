import { describe, expect, test } from 'vitest';
import { curlLine, maskKey } from '../../contract-tests/kit/curl.ts';

describe('the curl lines of failures', () => {
  const request = { method: 'POST', url: 'http://127.0.0.1:4010/orders', headers: { 'X-API-Key': 'sk_live_very_secret', 'Content-Type': 'application/json' }, body: '{"notes":"it\'s fragile"}' };

  test('the configured key becomes $NIMBUS_API_KEY, so the line runs as is', () => {
    const line = curlLine(request, 'sk_live_very_secret');
    expect(line).toContain('-H "X-API-Key: $NIMBUS_API_KEY"');
    expect(line).not.toContain('very_secret');
  });

  test('any other key is masked', () => {
    const line = curlLine(request, undefined);
    expect(line).toContain(`-H 'X-API-Key: ${maskKey('sk_live_very_secret')}'`);
    expect(line).not.toContain('very_secret');
    expect(maskKey('short')).toBe('****');
  });

  test('the body is quoted for the shell, quotes and all', () => {
    expect(curlLine(request, undefined)).toContain(`--data-raw '{"notes":"it'\\''s fragile"}'`);
  });

  test('a GET without body names no method', () => {
    expect(curlLine({ method: 'GET', url: 'http://h/orders/ord_1', headers: {} }, undefined)).toBe(`curl -sS -i 'http://h/orders/ord_1'`);
  });
});

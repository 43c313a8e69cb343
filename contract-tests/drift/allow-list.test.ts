import { describe, expect, test } from 'vitest';
import { AllowList, parseAllowList } from './allow-list.ts';

const listOf = (...paths: string[]) => new AllowList(parseAllowList(paths.map((path) => JSON.stringify({ operation: 'getOrder', path, reason: 'known' })).join('\n')));
const allows = (pattern: string, path: string) => listOf(pattern).allows({ operation: 'getOrder', position: 1, path }) !== undefined;

describe('allow entries\' paths', () => {
  test.each([
    ['body.data[*].status', 'body.data[12].status', true],
    ['body.data[*].status', 'body.data[1].x.status', false],
    ['body.*', 'body.trackingNumber', true],
    ['body.*', 'body.a.b', false],
    ['header *', 'header Retry-After', true],
    ['body.*Date', 'body.estimatedDeliveryDate', true],
    ['body.*Date', 'body.estimatedDeliveryDates', false],
    ['body (schema branch)', 'body (schema branch)', true],
    ['body.a(b[', 'body.a(b[', true],
    ['body.a+b', 'body.aab', false],
    ['body.a*b*c', 'body.aXbYc', true],
    ['body.a*b*c', 'body.aXbY', false],
    ['**', 'status', true],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(allows(pattern, path)).toBe(expected);
  });

  test('an entry of many stars is matched at once, not by a backtracking regular expression', () => {
    const started = performance.now();
    expect(allows(`body.${'*'.repeat(24)}x`, `body.${'a'.repeat(200)}`)).toBe(false);
    expect(allows(`body.${'*a'.repeat(24)}`, `body.${'a'.repeat(199)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

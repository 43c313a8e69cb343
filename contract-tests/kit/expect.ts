import { isDeepStrictEqual } from 'node:util';
import { errorOf } from './client.ts';
import { ContractViolation, type Exchange } from './exchange.ts';

/*
 * Assertions for checks. Each failure names the rule and shows the curl lines of the exchanges
 * given, in order: `before` lists the earlier requests needed to reproduce the failing one.
 */

export function ensure(condition: unknown, rule: string, ...exchanges: Exchange[]): asserts condition {
  if (!condition) throw new ContractViolation(rule, exchanges);
}

export function expectStatus(exchange: Exchange, status: number, why: string, ...before: Exchange[]): void {
  ensure(exchange.status === status, `${why}: expected HTTP ${status}, got ${exchange.status}`, ...before, exchange);
}

/** An error answer with this status and envelope code (the envelope itself is checked on every answer). */
export function expectError(exchange: Exchange, status: number, code: string, why: string, ...before: Exchange[]): void {
  const actual = errorOf(exchange)?.code;
  ensure(exchange.status === status && actual === code,
    `${why}: expected HTTP ${status} ${code}, got ${exchange.status} ${actual ?? '(no error code)'}`, ...before, exchange);
}

export function expectEqual(actual: unknown, expected: unknown, what: string, ...exchanges: Exchange[]): void {
  ensure(isDeepStrictEqual(actual, expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`, ...exchanges);
}

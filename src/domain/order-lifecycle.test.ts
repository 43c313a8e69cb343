import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../api-types.ts';
import { FULFILMENT_PATH, ORDER_TRANSITIONS, canTransition, isCancellable } from './order-lifecycle.ts';

const STATUSES: readonly OrderStatus[] = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];

/** The published lifecycle plus the contract's decision that `processing` may still be cancelled. */
const ALLOWED = new Set([
  'pending→processing',
  'pending→cancelled',
  'processing→shipped',
  'processing→cancelled',
  'shipped→delivered',
]);

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => ALLOWED.has(`${from}→${to}`));
const refused = pairs.filter(([from, to]) => !ALLOWED.has(`${from}→${to}`));

describe('order transitions', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('lists a transition table entry for every status', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
  });

  it('walks the fulfilment path one allowed step at a time', () => {
    expect(FULFILMENT_PATH).toEqual(['pending', 'processing', 'shipped', 'delivered']);
    for (let i = 1; i < FULFILMENT_PATH.length; i++) {
      expect(canTransition(FULFILMENT_PATH[i - 1]!, FULFILMENT_PATH[i]!)).toBe(true);
    }
  });
});

describe('isCancellable', () => {
  it.each([
    ['pending', true],
    ['processing', true],
    ['shipped', false],
    ['delivered', false],
    ['cancelled', false],
  ] as const)('says whether %s is cancellable (%s)', (status, expected) => {
    expect(isCancellable(status)).toBe(expected);
  });
});

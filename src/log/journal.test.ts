import { describe, expect, it } from 'vitest';
import type { RequestFacts } from './entry.ts';
import { RequestJournal } from './journal.ts';

const facts = (n: number): RequestFacts => ({
  time: '2025-01-15T15:00:00.000Z', method: 'GET', path: `/orders/ord_${n}`, status: 200, durationMs: 1, replayed: false,
});
const paths = (entries: RequestFacts[]) => entries.map((entry) => entry.path);

describe('RequestJournal', () => {
  it('keeps the last `capacity` entries of a key, newest first', () => {
    const journal = new RequestJournal(3);
    journal.part.setUp!('k', true);
    journal.record('k', facts(1));
    journal.record('k', facts(2));
    expect(paths(journal.list('k'))).toEqual(['/orders/ord_2', '/orders/ord_1']);
    for (let n = 3; n <= 7; n++) journal.record('k', facts(n));
    expect(paths(journal.list('k'))).toEqual(['/orders/ord_7', '/orders/ord_6', '/orders/ord_5']);
  });

  it('keeps nothing for a key not set up, and drops a key when it is forgotten', () => {
    const journal = new RequestJournal(3);
    journal.record('stranger', facts(1));
    expect(journal.keeps('stranger')).toBe(false);
    expect(journal.list('stranger')).toEqual([]);
    journal.part.setUp!('k', true);
    journal.record('k', facts(1));
    journal.part.forget!('k');
    journal.record('k', facts(2));
    expect(journal.keeps('k')).toBe(false);
    expect(journal.list('k')).toEqual([]);
  });

  it('keeps each key apart, and keeps a key\'s entries when it is set up again without being forgotten', () => {
    const journal = new RequestJournal(3);
    journal.part.setUp!('a', true);
    journal.part.setUp!('b', true);
    journal.record('a', facts(1));
    journal.record('b', facts(2));
    journal.part.setUp!('a', false);
    expect(paths(journal.list('a'))).toEqual(['/orders/ord_1']);
    expect(paths(journal.list('b'))).toEqual(['/orders/ord_2']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RequestJournal(0)).toThrow(/positive integer/);
  });
});

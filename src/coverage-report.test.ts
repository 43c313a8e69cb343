import { describe, expect, it } from 'vitest';
import { byUnder, coverageItems, meets, sharePercent, summaryLine, type Coverage } from './coverage-report.ts';

const REPORT: Coverage = {
  summary: { seen: 4, total: 8 },
  responses: [
    { operationId: 'createOrder', status: 201, count: 3, replayed: 1, hint: 'a valid body' },
    { operationId: 'createOrder', status: 409, code: 'idempotency_key_conflict', count: 0, replayed: 0, hint: 'the same Idempotency-Key with another body' },
    { operationId: 'getOrder', status: 200, count: 2, replayed: 0, hint: 'an order of the key' },
  ],
  statuses: [{ kind: 'order', status: 'pending', count: 1 }],
  events: [{ type: 'order.fulfilled', count: 0, acknowledged: 0, retried: 0, hint: 'an order ships' }, { type: 'order.created', count: 2, acknowledged: 1, retried: 1, hint: 'an order is created' }],
  magicValues: [{ operationId: 'createOrder', field: 'shippingAddress.zip', value: '00000', count: 0, hint: 'refused as undeliverable' }],
  faults: [{ kind: '500', count: 0, hint: 'the fault header' }],
};

describe('coverageItems', () => {
  it('lists every possibility in the groups\' order, each with what it is listed under, its label, count and details', () => {
    expect(coverageItems(REPORT).map(({ name, count, detail }) => [name, count, detail])).toEqual([
      ['responses/createOrder 201', 3, '1 replayed'],
      ['responses/createOrder 409 idempotency_key_conflict', 0, ''],
      ['responses/getOrder 200', 2, ''],
      ['statuses/order pending', 1, ''],
      ['events/order.fulfilled', 0, ''],
      ['events/order.created', 2, '1 acknowledged, 1 retried'],
      ['magicValues/createOrder shippingAddress.zip = 00000', 0, ''],
      ['faults/500', 0, ''],
    ]);
  });

  it('keeps the hint the report gives', () => {
    expect(coverageItems(REPORT)[1]).toMatchObject({ under: 'createOrder', label: '409 idempotency_key_conflict', hint: 'the same Idempotency-Key with another body' });
  });

  it('splits a group by operation, in the order first met', () => {
    const responses = coverageItems(REPORT).filter((item) => item.group === 'responses');
    expect(byUnder(responses).map(({ under, items }) => [under, items.map((item) => item.label)])).toEqual([
      ['createOrder', ['201', '409 idempotency_key_conflict']],
      ['getOrder', ['200']],
    ]);
  });
});

describe('the share met', () => {
  it('is shown with one decimal, never as 100.0% while something is unmet', () => {
    expect(summaryLine({ seen: 41, total: 63 })).toBe('Coverage: 41 of 63 (65.1%)');
    expect(sharePercent({ seen: 1999, total: 2000 })).toBe('99.9%');
    expect(sharePercent({ seen: 5, total: 5 })).toBe('100.0%');
    expect(sharePercent({ seen: 0, total: 0 })).toBe('100.0%');
  });

  it('is compared with --fail-under exactly', () => {
    expect(meets({ seen: 2, total: 3 }, 66.6)).toBe(true);
    expect(meets({ seen: 2, total: 3 }, 66.7)).toBe(false);
    expect(meets({ seen: 1, total: 3 }, 100 / 3)).toBe(true);
    expect(meets({ seen: 62, total: 63 }, 100)).toBe(false);
    expect(meets({ seen: 0, total: 63 }, 0)).toBe(true);
  });
});

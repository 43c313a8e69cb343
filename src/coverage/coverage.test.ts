import { describe, expect, it } from 'vitest';
import { Coverage } from './coverage.ts';
import type { Possibilities } from './possibilities.ts';

const POSSIBILITIES: Possibilities = {
  responses: [
    { operationId: 'createOrder', status: 201, hint: 'created' },
    { operationId: 'createOrder', status: 409, code: 'idempotency_key_conflict', hint: 'reuse a key' },
    { operationId: 'createOrder', status: 409, code: 'limit_reached', hint: 'fill up' },
    { operationId: 'getOrder', status: 500, code: 'internal_error', hint: 'fault' },
  ],
  statuses: [{ kind: 'order', status: 'pending' }, { kind: 'refill', status: 'pending' }],
  events: [{ type: 'order.created', hint: 'created' }, { type: 'order.fulfilled', hint: 'shipped' }],
  magicValues: [
    { operationId: 'createOrder', field: 'shippingAddress.zip', value: '00000', hint: 'undeliverable' },
    { operationId: 'createRefill', field: 'prescriptionId', value: 'rx_test_expired', hint: 'expired' },
  ],
  faults: [{ kind: '500', hint: 'fault 500' }, { kind: 'drop', hint: 'fault drop' }],
};

function held(...tenants: string[]) {
  const coverage = new Coverage(POSSIBILITIES);
  for (const tenant of tenants) void coverage.part.setUp!(tenant, true);
  return coverage;
}

const counts = (list: Array<{ count: number }>) => list.map((entry) => entry.count);

describe('Coverage: one key\'s counts against the possibilities', () => {
  it('lists every possibility at zero for a key that met nothing, or is not held', () => {
    const coverage = held('k');
    for (const tenant of ['k', 'not-held']) {
      const report = coverage.report(tenant);
      expect(report.summary).toEqual({ seen: 0, total: 12 });
      expect(report.responses[1]).toEqual({ operationId: 'createOrder', status: 409, code: 'idempotency_key_conflict', count: 0, replayed: 0, hint: 'reuse a key' });
      expect(report.responses[0]).not.toHaveProperty('code');
    }
  });

  it('counts each answer by operation, status and code, and the replays among them', () => {
    const coverage = held('k');
    coverage.answered('k', 'createOrder', 201, undefined, false, undefined);
    coverage.answered('k', 'createOrder', 201, undefined, true, undefined);
    coverage.answered('k', 'createOrder', 409, 'limit_reached', false, undefined);
    const report = coverage.report('k');
    expect(report.responses.map(({ count, replayed }) => [count, replayed])).toEqual([[2, 1], [0, 0], [1, 0], [0, 0]]);
    expect(report.summary).toEqual({ seen: 2, total: 12 });
  });

  it('ignores what is not a possibility: another operation, an undocumented status or code, no operation at all', () => {
    const coverage = held('k');
    coverage.answered('k', 'sandboxReset', 200, undefined, false, undefined);
    coverage.answered('k', 'createOrder', 400, 'invalid_request', false, undefined);
    coverage.answered('k', 'createOrder', 409, 'order_not_cancellable', false, undefined);
    coverage.answered('k', undefined, 404, 'not_found', false, undefined);
    expect(coverage.report('k').summary.seen).toBe(0);
  });

  it('counts a fault; an answer lost to a drop counts as the fault only', () => {
    const coverage = held('k');
    coverage.answered('k', 'getOrder', 500, 'internal_error', false, '500');
    coverage.answered('k', 'getOrder', 500, 'internal_error', false, 'drop');
    const report = coverage.report('k');
    expect(counts(report.faults)).toEqual([1, 1]);
    expect(report.responses[3]!.count).toBe(1);
  });

  it('counts statuses reached by kind, events by first attempt, acknowledgement and retry, unsent ones not at all', () => {
    const coverage = held('k');
    coverage.reached('k', 'refill', 'pending');
    coverage.reached('k', 'order', 'unknown');
    coverage.attempted('k', { eventType: 'order.fulfilled', attempt: 1, succeeded: false }, true);
    coverage.attempted('k', { eventType: 'order.fulfilled', attempt: 2, succeeded: false }, true);
    coverage.attempted('k', { eventType: 'order.fulfilled', attempt: 3, succeeded: true }, true);
    coverage.attempted('k', { eventType: 'order.created', attempt: 1, succeeded: true }, true);
    coverage.attempted('k', { eventType: 'order.created', attempt: 1, succeeded: false }, false);
    const report = coverage.report('k');
    expect(counts(report.statuses)).toEqual([0, 1]);
    expect(report.events).toEqual([
      { type: 'order.created', count: 1, acknowledged: 1, retried: 0, hint: 'created' },
      { type: 'order.fulfilled', count: 1, acknowledged: 1, retried: 1, hint: 'shipped' },
    ]);
  });

  it('counts a magic value by its dotted field, for its own operation only', () => {
    const coverage = held('k');
    coverage.requested('k', 'createOrder', { prescriptionId: 'rx_test_expired', shippingAddress: { zip: '00000' } });
    coverage.requested('k', 'createOrder', { shippingAddress: 'flat' });
    coverage.requested('k', 'createRefill', { prescriptionId: 'rx_test_expired', shippingAddress: { zip: '00000' } });
    expect(counts(coverage.report('k').magicValues)).toEqual([1, 1]);
  });

  it('keeps keys apart; counts nothing for a key not held; a reset clears the key, forgetting drops it', async () => {
    const coverage = held('a', 'b');
    const meetAll = (tenant: string) => {
      coverage.answered(tenant, 'createOrder', 201, undefined, false, undefined);
      coverage.reached(tenant, 'order', 'pending');
      coverage.attempted(tenant, { eventType: 'order.created', attempt: 1, succeeded: true }, true);
      coverage.requested(tenant, 'createOrder', { shippingAddress: { zip: '00000' } });
    };
    meetAll('a');
    meetAll('stranger');
    expect(coverage.report('a').summary.seen).toBe(4);
    expect(coverage.report('b').summary.seen).toBe(0);
    expect(coverage.report('stranger').summary.seen).toBe(0);
    await coverage.part.reset!('a');
    expect(coverage.report('a').summary.seen).toBe(0);
    meetAll('a');
    coverage.part.forget!('a');
    expect(coverage.report('a').summary.seen).toBe(0);
    meetAll('a');
    expect(coverage.report('a').summary.seen).toBe(0);
  });
});

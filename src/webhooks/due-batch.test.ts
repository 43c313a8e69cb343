import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from './events.ts';
import { dueBatch, MAX_BATCH, SCAN_LIMIT, subjectOf } from './webhook-service.ts';

interface Queued {
  name: string;
  subject: string;
  dueAt: number;
}

const queued = (subject: string, dueAt = 0, name = subject): Queued => ({ name, subject, dueAt });

/** The batch as `name@at`, with `doneAt` giving when each subject's previous event was done. */
function batchOf(queue: Queued[], now: number, doneAt: Record<string, number> = {}): string[] {
  return dueBatch(queue, (subject) => doneAt[subject], now).map(({ pending, at }) => `${pending.name}@${at}`);
}

describe('dueBatch', () => {
  it('takes every due event when each is about a different order, each at the time it fell due', () => {
    expect(batchOf([queued('a', 0), queued('b', 300), queued('c', 700)], 1_000)).toEqual(['a@0', 'b@300', 'c@700']);
  });

  it('leaves an order\'s second event for a later batch and goes on to other orders', () => {
    const queue = [queued('a', 0, 'a1'), queued('b'), queued('a', 0, 'a2'), queued('c')];
    expect(batchOf(queue, 0)).toEqual(['a1@0', 'b@0', 'c@0']);
  });

  it('holds back only the later events of an order whose event waits for its retry', () => {
    const queue = [queued('a', 2_000, 'a1'), queued('b'), queued('a', 0, 'a2'), queued('c')];
    expect(batchOf(queue, 1_000)).toEqual(['b@0', 'c@0']);
  });

  it('attempts an event no earlier than its order\'s previous event was done', () => {
    expect(batchOf([queued('a', 100), queued('b', 100)], 1_000, { a: 600 })).toEqual(['a@600', 'b@100']);
  });

  it('leaves an event whose order\'s previous event was done after now', () => {
    expect(batchOf([queued('a', 100), queued('b', 100)], 1_000, { a: 1_500 })).toEqual(['b@100']);
  });

  it(`takes at most ${MAX_BATCH} events`, () => {
    const queue = Array.from({ length: MAX_BATCH + 5 }, (_, index) => queued(`o${index}`));
    expect(batchOf(queue, 0)).toEqual(queue.slice(0, MAX_BATCH).map((item) => `${item.name}@0`));
  });

  it(`looks no further than the first ${SCAN_LIMIT} queued events`, () => {
    const waiting = Array.from({ length: SCAN_LIMIT }, (_, index) => queued(`o${index}`, 5_000));
    expect(batchOf([...waiting, queued('late')], 0)).toEqual([]);
    expect(batchOf([...waiting.slice(1), queued('late')], 0)).toEqual(['late@0']);
  });
});

describe('subjectOf', () => {
  const event = (data: object) => ({ id: 'evt_1', type: 'order.created', createdAt: '2025-02-03T15:00:00Z', data }) as WebhookEvent;

  it('names the same order for two events about it', () => {
    expect(subjectOf(event({ orderId: 'ord_a', status: 'pending' }))).toBe(subjectOf(event({ orderId: 'ord_a', status: 'shipped' })));
  });

  it('tells an order and a refill apart even when their ids are equal', () => {
    expect(subjectOf(event({ orderId: 'same_id', status: 'pending' }))).not.toBe(subjectOf(event({ refillId: 'same_id', prescriptionId: 'rx_1', status: 'approved' })));
  });
});

import { describe, expect, it } from 'vitest';
import { DeliveryQueue, type Due } from './delivery-queue.ts';
import type { WebhookEvent } from './events.ts';
import { subjectOf } from './webhook-service.ts';

/** A queue of named events, each added as [subject, dueAt] with the name `subject` (or given). */
function queueOf(...events: Array<[subject: string, dueAt: number, name?: string]>): DeliveryQueue<string> {
  const queue = new DeliveryQueue<string>();
  for (const [subject, dueAt, name] of events) queue.add(subject, name ?? subject, dueAt);
  return queue;
}

const shown = (batch: Array<Due<string>>) => batch.map((due) => `${due.queued.item}@${due.readyAt}`);

describe('DeliveryQueue', () => {
  it('gives out the due events of different subjects, each at the time it fell due', () => {
    const queue = queueOf(['a', 0], ['b', 300], ['c', 700], ['d', 2_000]);
    expect(shown(queue.takeDue(1_000, 32))).toEqual(['a@0', 'b@300', 'c@700']);
  });

  it('gives out events due at the same time in the order they were added', () => {
    const queue = queueOf(['c', 0], ['a', 0], ['b', 0]);
    expect(shown(queue.takeDue(0, 32))).toEqual(['c@0', 'a@0', 'b@0']);
  });

  it('gives out at most the number asked for, and the rest next time', () => {
    const queue = queueOf(['a', 0], ['b', 0], ['c', 0]);
    expect(shown(queue.takeDue(0, 2))).toEqual(['a@0', 'b@0']);
    expect(shown(queue.takeDue(0, 2))).toEqual(['c@0']);
  });

  it('holds a subject\'s second event back while its first is out', () => {
    const queue = queueOf(['a', 0, 'a1'], ['b', 0], ['a', 0, 'a2']);
    expect(shown(queue.takeDue(0, 32))).toEqual(['a1@0', 'b@0']);
    expect(queue.takeDue(0, 32)).toEqual([]);
  });

  it('gives out a subject\'s next event once the one before is done, no earlier than it was done', () => {
    const queue = queueOf(['a', 0, 'a1'], ['a', 100, 'a2']);
    const [first] = queue.takeDue(1_000, 32);
    queue.settle(first!, { doneAt: 600 });
    expect(shown(queue.takeDue(1_000, 32))).toEqual(['a2@600']);
  });

  it('holds a subject\'s next event back until the time the one before was done', () => {
    const queue = queueOf(['a', 0, 'a1'], ['a', 100, 'a2']);
    queue.settle(queue.takeDue(0, 32)[0]!, { doneAt: 1_500 });
    expect(queue.takeDue(1_000, 32)).toEqual([]);
    expect(shown(queue.takeDue(1_500, 32))).toEqual(['a2@1500']);
  });

  it('gives out an event again at its retry time, ahead of its subject\'s later events', () => {
    const queue = queueOf(['a', 0, 'a1'], ['a', 0, 'a2']);
    queue.settle(queue.takeDue(0, 32)[0]!, { retryAt: 1_000 });
    expect(queue.takeDue(999, 32)).toEqual([]);
    expect(shown(queue.takeDue(1_000, 32))).toEqual(['a1@1000']);
  });

  it('gives out other subjects\' events while one waits for its retry', () => {
    const queue = queueOf(['a', 0, 'a1'], ['b', 0], ['a', 0, 'a2'], ['c', 0]);
    queue.settle(queue.takeDue(0, 1)[0]!, { retryAt: 2_000 });
    expect(shown(queue.takeDue(1_000, 32))).toEqual(['b@0', 'c@0']);
  });

  it('finds a due event behind any number of events waiting for their retries', () => {
    const waiting = Array.from({ length: 5_000 }, (_, index): [string, number] => [`o${index}`, 0]);
    const queue = queueOf(...waiting);
    for (let batch = queue.takeDue(0, 32); batch.length > 0; batch = queue.takeDue(0, 32)) {
      for (const due of batch) queue.settle(due, { retryAt: 60_000 });
    }
    queue.add('late', 'late', 10);
    expect(shown(queue.takeDue(1_000, 32))).toEqual(['late@10']);
  });

  it('starts a subject afresh once all its events are done', () => {
    const queue = queueOf(['a', 0, 'a1'], ['a', 0, 'a2']);
    queue.settle(queue.takeDue(0, 32)[0]!, { doneAt: 0 });
    queue.settle(queue.takeDue(0, 32)[0]!, { doneAt: 0 });
    queue.add('a', 'a3', 0);
    expect(shown(queue.takeDue(0, 32))).toEqual(['a3@0']);
  });

  it('refuses to settle an event that is not out', () => {
    const queue = queueOf(['a', 0]);
    const [due] = queue.takeDue(0, 32);
    queue.settle(due!, { doneAt: 0 });
    expect(() => queue.settle(due!, { doneAt: 0 })).toThrow(/not out/);
  });
});

describe('subjectOf', () => {
  const event = (data: object) => ({ id: 'evt_1', type: 'order.created', createdAt: '2025-02-03T15:00:00Z', data }) as WebhookEvent;

  it('names the same subject for two events about one order', () => {
    expect(subjectOf(event({ orderId: 'ord_a', status: 'pending' }))).toBe(subjectOf(event({ orderId: 'ord_a', status: 'shipped' })));
  });

  it('tells an order and a refill apart even when their ids are equal', () => {
    expect(subjectOf(event({ orderId: 'same_id', status: 'pending' }))).not.toBe(subjectOf(event({ refillId: 'same_id', prescriptionId: 'rx_1', status: 'approved' })));
  });
});

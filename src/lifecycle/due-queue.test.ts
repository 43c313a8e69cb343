import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DueQueue, type DueEntry } from './due-queue.ts';

function queueOf(dueTimes: readonly number[]): DueQueue {
  const queue = new DueQueue();
  dueTimes.forEach((dueAt, i) => queue.push({ dueAt, id: `ord_${i}` }));
  return queue;
}

/** Pops everything due at `now`, in the order the queue gives it. */
function drain(queue: DueQueue, now: number): DueEntry[] {
  const popped: DueEntry[] = [];
  for (let entry = queue.popDue(now); entry !== undefined; entry = queue.popDue(now)) popped.push(entry);
  return popped;
}

describe('DueQueue', () => {
  it('starts empty and pops nothing', () => {
    const queue = new DueQueue();
    expect(queue.size).toBe(0);
    expect(queue.popDue(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('pops in due order, whatever the push order', () => {
    expect(drain(queueOf([50, 10, 40, 20, 30]), 100).map((entry) => entry.dueAt)).toEqual([10, 20, 30, 40, 50]);
  });

  it('pops nothing before the earliest due time, and keeps it', () => {
    const queue = queueOf([50, 20, 30]);
    expect(queue.popDue(19)).toBeUndefined();
    expect(queue.size).toBe(3);
  });

  it('pops an entry due exactly now', () => {
    expect(queueOf([20]).popDue(20)).toEqual({ dueAt: 20, id: 'ord_0' });
  });

  it('pops only what is due and keeps the rest for later', () => {
    const queue = queueOf([50, 10, 40, 20, 30]);
    expect(drain(queue, 25).map((entry) => entry.id)).toEqual(['ord_1', 'ord_3']);
    expect(queue.size).toBe(3);
    expect(drain(queue, 100).map((entry) => entry.dueAt)).toEqual([30, 40, 50]);
  });

  it('keeps both entries with the same due time', () => {
    expect(drain(queueOf([10, 10]), 10).map((entry) => entry.id).sort()).toEqual(['ord_0', 'ord_1']);
  });

  it('pops any set of due times in order and never one not yet due (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1_000 })), fc.integer({ min: -1, max: 1_001 }), (dueTimes, now) => {
      const queue = queueOf(dueTimes);
      const popped = drain(queue, now).map((entry) => entry.dueAt);
      expect(popped).toEqual(dueTimes.filter((dueAt) => dueAt <= now).sort((a, b) => a - b));
      expect(queue.size).toBe(dueTimes.length - popped.length);
    }));
  });

  it('stays ordered when pushes and pops interleave (property)', () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 100 }) }), fc.record({ pop: fc.integer({ min: 0, max: 100 }) }));
    fc.assert(fc.property(fc.array(op), (ops) => {
      const queue = new DueQueue();
      const model: number[] = [];
      for (const step of ops) {
        if ('push' in step) {
          queue.push({ dueAt: step.push, id: 'ord_x' });
          model.push(step.push);
        } else {
          const earliest = Math.min(...model);
          const entry = queue.popDue(step.pop);
          if (earliest <= step.pop) {
            expect(entry?.dueAt).toBe(earliest);
            model.splice(model.indexOf(earliest), 1);
          } else {
            expect(entry).toBeUndefined();
          }
        }
      }
      expect(queue.size).toBe(model.length);
    }));
  });
});

import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from './events.ts';
import { dueBatch, MAX_BATCH } from './webhook-service.ts';

interface Queued {
  name: string;
  event: WebhookEvent;
  dueAt: number;
}

let serial = 0;

function orderEvent(orderId: string, dueAt = 0, type: WebhookEvent['type'] = 'order.created'): Queued {
  const event = { id: `evt_${serial++}`, type, createdAt: '2025-02-03T15:00:00Z', data: { orderId, status: 'pending' } } as WebhookEvent;
  return { name: `${orderId} ${type}`, event, dueAt };
}

function refillEvent(refillId: string, dueAt = 0): Queued {
  const event = { id: `evt_${serial++}`, type: 'refill.ready', createdAt: '2025-02-03T15:00:00Z', data: { refillId, prescriptionId: 'rx_1', status: 'approved' } } as WebhookEvent;
  return { name: `${refillId} refill.ready`, event, dueAt };
}

const names = (batch: Queued[]) => batch.map((queued) => queued.name);

describe('dueBatch', () => {
  it('takes every due event at the front when each is about a different order', () => {
    const queue = [orderEvent('ord_a'), orderEvent('ord_b'), orderEvent('ord_c')];
    expect(names(dueBatch(queue, 0))).toEqual(['ord_a order.created', 'ord_b order.created', 'ord_c order.created']);
  });

  it('stops before a second event about an order already in the batch', () => {
    const queue = [orderEvent('ord_a'), orderEvent('ord_b'), orderEvent('ord_a', 0, 'order.processing'), orderEvent('ord_c')];
    expect(names(dueBatch(queue, 0))).toEqual(['ord_a order.created', 'ord_b order.created']);
  });

  it('stops before a second event about a refill already in the batch', () => {
    const queue = [refillEvent('ref_a'), orderEvent('ord_a'), refillEvent('ref_a')];
    expect(names(dueBatch(queue, 0))).toEqual(['ref_a refill.ready', 'ord_a order.created']);
  });

  it('tells an order and a refill apart even when their ids are equal', () => {
    const queue = [orderEvent('same_id'), refillEvent('same_id')];
    expect(dueBatch(queue, 0)).toHaveLength(2);
  });

  it('stops at the first event not yet due, even when later ones are', () => {
    const queue = [orderEvent('ord_a', 0), orderEvent('ord_b', 5_000), orderEvent('ord_c', 0)];
    expect(names(dueBatch(queue, 1_000))).toEqual(['ord_a order.created']);
  });

  it('is empty while the front event waits for its retry', () => {
    expect(dueBatch([orderEvent('ord_a', 2_000), orderEvent('ord_b', 0)], 1_000)).toEqual([]);
  });

  it(`takes at most ${MAX_BATCH} events`, () => {
    const queue = Array.from({ length: MAX_BATCH + 5 }, (_, index) => orderEvent(`ord_${index}`));
    expect(dueBatch(queue, 0)).toEqual(queue.slice(0, MAX_BATCH));
  });
});

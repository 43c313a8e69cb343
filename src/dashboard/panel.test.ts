import { describe, expect, it } from 'vitest';
import { newestOnly } from './panel.ts';

describe('newestOnly', () => {
  it('drops an answer older than one already drawn, and draws answers that come in order', () => {
    const order = newestOnly();
    const first = order.ticket();
    const second = order.ticket();
    expect(order.mayDraw(second)).toBe(true);
    expect(order.mayDraw(first)).toBe(false);
    const third = order.ticket();
    expect(order.mayDraw(third)).toBe(true);
    expect(order.mayDraw(order.ticket())).toBe(true);
  });
});

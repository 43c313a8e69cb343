import { describe, expect, it } from 'vitest';
import spec from '../generated/spec.json' with { type: 'json' };
import { advanceTargets, canCancel, EVENT_TYPES, ORDERS, REFILLS } from './rules.ts';

const schemas = (spec as unknown as { components: { schemas: Record<string, { enum?: string[] }> } }).components.schemas;

describe('dashboard rules, read from the spec and the lifecycle tables', () => {
  it('offers every status of the spec enums as a filter', () => {
    expect(ORDERS.statuses).toEqual(schemas.OrderStatus!.enum);
    expect(REFILLS.statuses).toEqual(schemas.RefillStatus!.enum);
    expect(EVENT_TYPES).toEqual(schemas.WebhookEventType!.enum);
  });

  it('offers an order only the advance targets ahead of it, none once delivered or cancelled', () => {
    expect(advanceTargets(ORDERS, 'pending')).toEqual(['processing', 'shipped', 'delivered']);
    expect(advanceTargets(ORDERS, 'processing')).toEqual(['shipped', 'delivered']);
    expect(advanceTargets(ORDERS, 'shipped')).toEqual(['delivered']);
    expect(advanceTargets(ORDERS, 'delivered')).toEqual([]);
    expect(advanceTargets(ORDERS, 'cancelled')).toEqual([]);
  });

  it('offers Cancel on orders while pending or processing only', () => {
    expect(ORDERS.statuses.filter((status) => canCancel(ORDERS, status))).toEqual(['pending', 'processing']);
  });

  it('offers no move on refills, which the API cannot advance or cancel', () => {
    expect(REFILLS.advance).toBeUndefined();
    expect(REFILLS.cancel).toBeUndefined();
    expect(REFILLS.statuses.flatMap((status) => advanceTargets(REFILLS, status))).toEqual([]);
  });

  it('builds each path with the id encoded', () => {
    expect(ORDERS.one('ord_1')).toBe('/orders/ord_1');
    expect(REFILLS.history('ref/1')).toBe('/sandbox/refills/ref%2F1/history');
    expect(ORDERS.advance?.path('ord_1')).toBe('/sandbox/orders/ord_1/advance');
  });
});

import { describe, expect, it } from 'vitest';
import type { CreateOrderRequest, Order } from './api-types.ts';

// Checked by `tsc --noEmit` (part of npm test): an unused @ts-expect-error is an error there.
describe('the generated API types', () => {
  const address = { street1: '1 Elm St', city: 'Austin', state: 'TX', zip: '78701' };

  it('leave a request field the spec gives a default optional (ShippingAddress.country)', () => {
    const request: CreateOrderRequest['shippingAddress'] = address;
    expect(request.country).toBeUndefined();
  });

  it('require the same field in an answer, which always carries it', () => {
    // @ts-expect-error: an Order's address always has its country
    const answered: Order['shippingAddress'] = address;
    expect(answered).toBe(address);
  });
});

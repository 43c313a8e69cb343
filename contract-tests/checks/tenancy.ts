import { defineCheck } from '../kit/check.ts';
import { orderListOf } from '../kit/client.ts';
import { ensure, expectError, expectStatus } from '../kit/expect.ts';
import { createOrder } from '../kit/steps.ts';

export const ordersAreInvisibleToOtherKeys = defineCheck(
  'tenancy/orders-are-invisible-to-other-api-keys',
  'Another API key cannot see an order: GET answers 404 not_found and its /sandbox/orders list leaves it out',
  async ({ client, isolatedClient, capabilities }) => {
    const { exchange: created, order } = await createOrder(client());
    const other = isolatedClient('a second tenant');
    expectError(await other.getOrder(order.id), 404, 'not_found', 'another API key reading the order', created);
    if (capabilities.sandboxList.offered) {
      const listed = await other.listOrders({ limit: 100 });
      expectStatus(listed, 200, 'another API key listing its orders');
      ensure(!orderListOf(listed).data.some((listedOrder) => listedOrder.id === order.id), 'another API key\'s list includes the order', created, listed);
    }
  },
);

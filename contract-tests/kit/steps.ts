import type { CheckContext } from './check.ts';
import { orderListOf, orderOf, type Client, type CreateOrderRequest, type Order } from './client.ts';
import type { Exchange } from './exchange.ts';
import { expectStatus } from './expect.ts';
import { operation, requestExample } from './spec.ts';
import { PUBLISHED_ORDER_ID } from './test-data.ts';

/** Steps several checks share. Each expects success and fails the check, with its curl line, otherwise. */

/** The Orders guide's create body, as the spec publishes it. */
export function guideOrder(): CreateOrderRequest {
  return requestExample(operation('createOrder'), 'guide') as CreateOrderRequest;
}

export async function createOrder(api: Client, body: unknown = guideOrder(), idempotencyKey?: string): Promise<{ exchange: Exchange; order: Order }> {
  const exchange = await api.createOrder(body, idempotencyKey);
  expectStatus(exchange, 201, 'creating an order');
  return { exchange, order: orderOf(exchange) };
}

type OrderStatus = Order['status'];

/**
 * An order of the tenant in one of these statuses, or undefined when the target offers no way to
 * reach one. Looks in the tenant's list (`/sandbox/orders`), then at the published order.
 * Helpers that move orders along (advance, clock) slot in here as the sandbox gains them.
 */
export async function findOrderInStatus(context: CheckContext, api: Client, statuses: readonly OrderStatus[]): Promise<Order | undefined> {
  if (context.capabilities.sandboxList.offered) {
    for (const status of statuses) {
      const listed = await api.listOrders({ status, limit: 1 });
      expectStatus(listed, 200, `listing ${status} orders`);
      const found = orderListOf(listed).data[0];
      if (found !== undefined) return found;
    }
  }
  const published = await api.getOrder(PUBLISHED_ORDER_ID);
  return published.status === 200 && statuses.includes(orderOf(published).status) ? orderOf(published) : undefined;
}

import type { CheckContext } from './check.ts';
import { orderListOf, orderOf, type Client, type CreateOrderRequest, type Order } from './client.ts';
import type { Exchange } from './exchange.ts';
import { expectEqual, expectStatus } from './expect.ts';
import { operation, requestExample } from './spec.ts';
import { PUBLISHED_ORDER_ID } from './test-data.ts';

/** Steps several checks share. Each expects success and fails the check, with its curl line, otherwise. */

/** The Orders guide's create body, as the spec publishes it. */
export function guideOrder(): CreateOrderRequest {
  return requestExample(operation('createOrder'), 'guide') as CreateOrderRequest;
}

export type RefillRequest = { prescriptionId: string; patientId: string; requestedQuantity?: number };

/** createRefill's published example request. */
export function exampleRefill(): RefillRequest {
  const example = operation('createRefill').spec.requestBody?.content['application/json'] as { example?: RefillRequest } | undefined;
  if (example?.example === undefined) throw new Error('spec: createRefill has no request example');
  return structuredClone(example.example);
}

export async function createOrder(api: Client, body: unknown = guideOrder(), idempotencyKey?: string): Promise<{ exchange: Exchange; order: Order }> {
  const exchange = await api.createOrder(body, idempotencyKey);
  expectStatus(exchange, 201, 'creating an order');
  return { exchange, order: orderOf(exchange) };
}

type OrderStatus = Order['status'];

/** The statuses `POST /sandbox/orders/{orderId}/advance` can move an order to. */
const ADVANCEABLE: readonly OrderStatus[] = ['processing', 'shipped', 'delivered'];

/**
 * An order of the tenant in one of these statuses, or undefined when the target offers no way to
 * reach one. Looks in the tenant's list (`/sandbox/orders`); then, where the target offers
 * `POST /sandbox/orders/{orderId}/advance`, creates an order and advances it to the first of the
 * statuses it can reach; then looks at the published order.
 */
export async function findOrderInStatus(context: CheckContext, api: Client, statuses: readonly OrderStatus[]): Promise<Order | undefined> {
  if (context.capabilities.sandboxList.offered) {
    for (const status of statuses) {
      const listed = await api.listOrders({ status, limit: 2 });
      expectStatus(listed, 200, `listing ${status} orders`);
      // The published order is frozen test data on some targets; use it only as the last resort.
      const found = orderListOf(listed).data.find((order) => order.id !== PUBLISHED_ORDER_ID);
      if (found !== undefined) return found;
    }
  }
  const reachable = statuses.find((status) => ADVANCEABLE.includes(status));
  if (context.capabilities.sandboxAdvance.offered && reachable !== undefined) {
    const { exchange: created, order } = await createOrder(api);
    const advanced = await api.advanceOrder(order.id, reachable);
    expectStatus(advanced, 200, `advancing a new order to ${reachable}`, created);
    expectEqual(orderOf(advanced).status, reachable, `status after advancing a new order to ${reachable}`, created, advanced);
    return orderOf(advanced);
  }
  const published = await api.getOrder(PUBLISHED_ORDER_ID);
  return published.status === 200 && statuses.includes(orderOf(published).status) ? orderOf(published) : undefined;
}

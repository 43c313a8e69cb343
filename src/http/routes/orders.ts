import type { CreateOrderRequest } from '../../api-types.ts';
import type { OrderRecord } from '../../domain/records.ts';
import { bodyValidator, parameterTest } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { idParam, json, jsonText, send, type Route, type RouteServices, type SandboxContext } from '../routing.ts';

const validateCreateOrder = bodyValidator<CreateOrderRequest>('CreateOrderRequest');
const isOrderId = parameterTest('OrderId');

/** Records are replaced, never changed, so each one's JSON is written once however often it is read. */
const serialized = new WeakMap<OrderRecord, string>();
function orderJson(record: OrderRecord): string {
  let text = serialized.get(record);
  if (text === undefined) {
    text = JSON.stringify(record.order);
    serialized.set(record, text);
  }
  return text;
}

export const orderIdParam = (c: SandboxContext) => idParam(c, 'orderId', isOrderId, 'order', 'ord_');

export function orderRoutes(route: Route, { orders, maxBodyBytes, idempotencyKey, idempotent }: RouteServices): void {
  route('POST', '/orders', async (c) => {
    const key = idempotencyKey(c);
    const request = validateCreateOrder(await readJsonObject(c.req.raw, maxBodyBytes));
    orders.screen(request);
    return send(c, await idempotent(c, key, request, async (requestId) => {
      const { order } = await orders.create(c.get('tenant'), request);
      return { status: 201, body: JSON.stringify(order), headers: { Location: `/orders/${order.id}` }, requestId };
    }));
  });

  route('GET', '/orders/:orderId', async (c) => jsonText(c, orderJson(await orders.get(c.get('tenant'), orderIdParam(c)))));

  route('DELETE', '/orders/:orderId', async (c) => json(c, (await orders.cancel(c.get('tenant'), orderIdParam(c))).order));
}

import type { CreateOrderRequest } from '../../api-types.ts';
import type { OrderRecord } from '../../domain/records.ts';
import { bodyValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { ok, okText, send, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';

const validateCreateOrder = bodyValidator<CreateOrderRequest>('CreateOrderRequest');

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

export function orderHandlers({ orders, maxBodyBytes, idempotencyKey, idempotent }: Services) {
  return {
    createOrder: async (c) => {
      const key = idempotencyKey(c);
      const request = validateCreateOrder(await readJsonObject(c.req.raw, maxBodyBytes));
      orders.screen(request);
      return send(c, await idempotent(c, key, request, async (requestId) => {
        const { order } = await orders.create(c.get('tenant'), request);
        return { status: 201, body: JSON.stringify(order), headers: { Location: `/orders/${order.id}` }, requestId };
      }));
    },
    getOrder: async (c, { orderId }) => okText<'getOrder'>(c, orderJson(await orders.get(c.get('tenant'), orderId))),
    cancelOrder: async (c, { orderId }) => ok<'cancelOrder'>(c, (await orders.cancel(c.get('tenant'), orderId)).order),
  } satisfies Partial<Handlers>;
}

import type { CreateOrderRequest } from '../../api-types.ts';
import type { OrderRecord } from '../../domain/records.ts';
import { bodyValidator } from '../../validation.ts';
import { ok, okText, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';
import { idempotentCreate } from './create.ts';

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

export function orderHandlers(services: Services) {
  const { orders } = services;
  return {
    createOrder: idempotentCreate(services, 'order', validateCreateOrder, (request) => orders.screen(request), async (tenant, request) => {
      const { order } = await orders.create(tenant, request);
      return { body: JSON.stringify(order), headers: { Location: `/orders/${order.id}` } };
    }),
    getOrder: async (c, { orderId }) => okText<'getOrder'>(c, orderJson(await orders.get(c.get('tenant'), orderId))),
    cancelOrder: async (c, { orderId }) => ok<'cancelOrder'>(c, (await orders.cancel(c.get('tenant'), orderId)).order),
  } satisfies Partial<Handlers>;
}

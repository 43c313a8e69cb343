import { defineCheck } from '../kit/check.ts';
import { orderListOf, orderOf } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { createOrder } from '../kit/steps.ts';
import { PUBLISHED_ORDER_ID } from '../kit/test-data.ts';

const ids = (orders: Array<{ id: string }>) => orders.map((order) => order.id);

export const listIsNewestFirst = defineCheck(
  'sandbox/list-is-newest-first',
  'GET /sandbox/orders lists the key\'s orders newest first',
  async ({ client, require }) => {
    require('sandboxList');
    const api = client();
    const { order: older } = await createOrder(api);
    const { order: newer } = await createOrder(api);
    const listed = await api.listOrders({ limit: 2 });
    expectStatus(listed, 200, 'listing orders');
    expectEqual(ids(orderListOf(listed).data), [newer.id, older.id], 'the two newest orders', listed);
  },
);

export const listPagesWithCursor = defineCheck(
  'sandbox/list-pages-with-the-next-cursor',
  'GET /sandbox/orders?limit=1 says hasMore with a nextCursor, and that cursor serves the next order',
  async ({ client, require }) => {
    require('sandboxList');
    const api = client();
    const { order: older } = await createOrder(api);
    const { order: newer } = await createOrder(api);
    const first = await api.listOrders({ limit: 1 });
    const page = orderListOf(first);
    expectEqual(ids(page.data), [newer.id], 'the first page of one', first);
    ensure(page.hasMore && typeof page.nextCursor === 'string', 'the first page of one says there is no more', first);
    const second = await api.listOrders({ limit: 1, cursor: page.nextCursor });
    expectEqual(ids(orderListOf(second).data), [older.id], 'the page after the first cursor', first, second);
  },
);

export const listFiltersByStatus = defineCheck(
  'sandbox/list-filters-by-status',
  'GET /sandbox/orders?status=… lists only orders in that status',
  async ({ client, require }) => {
    require('sandboxList');
    const api = client();
    const { order } = await createOrder(api);
    const pending = await api.listOrders({ status: 'pending', limit: 100 });
    const data = orderListOf(pending).data;
    ensure(data.every((listed) => listed.status === 'pending') && ids(data).includes(order.id),
      `status=pending does not list exactly pending orders including the new ${order.id}`, pending);
    const processing = await api.listOrders({ status: 'processing', limit: 100 });
    ensure(orderListOf(processing).data.every((listed) => listed.status === 'processing'), 'status=processing lists orders in other statuses', processing);
  },
);

export const resetRestoresTestData = defineCheck(
  'sandbox/reset-restores-the-published-test-data',
  'POST /sandbox/reset answers {"reset":true}; the key\'s orders are gone and the published order is back',
  async ({ isolatedClient, require }) => {
    require('sandboxReset');
    const api = isolatedClient('reset wipes the tenant');
    const { exchange: created, order } = await createOrder(api);
    const reset = await api.reset();
    expectStatus(reset, 200, 'resetting the tenant', created);
    expectError(await api.getOrder(order.id), 404, 'not_found', 'reading an order created before the reset', created, reset);
    const published = await api.getOrder(PUBLISHED_ORDER_ID);
    expectStatus(published, 200, 'reading the published order after the reset', reset);
    expectEqual(orderOf(published).status, 'processing', 'status of the published order after the reset', reset, published);
  },
);

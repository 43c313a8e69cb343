import { defineCheck } from '../kit/check.ts';
import { orderListOf, orderOf } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { createOrder, guideOrder } from '../kit/steps.ts';
import { PUBLISHED_ORDER_ID, PUBLISHED_PATIENT_IDS } from '../kit/test-data.ts';

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

/** Pages a walk may take before the kit calls it endless. */
const MAX_PAGES = 50;
const WALK_ORDERS = 5;
const WALK_PAGE = 2;

export const listWalksToItsLastPage = defineCheck(
  'sandbox/list-walked-to-its-last-page-lists-every-order-once',
  `GET /sandbox/orders?limit=${WALK_PAGE} followed by nextCursor page after page ends on a page with hasMore false and nextCursor null, `
    + 'and lists every order of the key exactly once, newest first, as one page of 100 does, even when an order is created during the walk',
  async ({ isolatedClient, require }) => {
    require('sandboxList');
    const api = isolatedClient('the walk must see exactly its own orders');
    for (let index = 0; index < WALK_ORDERS; index++) await createOrder(api);
    const whole = await api.listOrders({ limit: 100 });
    expectStatus(whole, 200, 'listing the key\'s orders in one page');
    ensure(!orderListOf(whole).hasMore, 'one page of 100 does not hold a new key\'s orders', whole);
    const walked: string[] = [];
    const pages = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await api.listOrders({ limit: WALK_PAGE, ...(cursor === undefined ? {} : { cursor }) });
      expectStatus(page, 200, `reading page ${pages.length + 1} of the walk`, whole, ...pages);
      pages.push(page);
      const { data, hasMore, nextCursor } = orderListOf(page);
      walked.push(...ids(data));
      // An integrator's newest order, made while it pages through older ones.
      if (pages.length === 1) await createOrder(api);
      if (!hasMore) {
        expectEqual(nextCursor, null, 'nextCursor of the last page (hasMore false)', whole, ...pages);
        break;
      }
      ensure(typeof nextCursor === 'string' && nextCursor !== '', 'a page says hasMore but gives no nextCursor', whole, ...pages);
      ensure(pages.length < MAX_PAGES, `the walk did not end after ${MAX_PAGES} pages of ${WALK_PAGE} for a key with ${orderListOf(whole).data.length} orders`, whole, ...pages.slice(-3));
      cursor = nextCursor;
    }
    const duplicated = walked.filter((id, index) => walked.indexOf(id) !== index);
    ensure(duplicated.length === 0, `the walk listed ${[...new Set(duplicated)].join(', ')} more than once`, whole, ...pages);
    expectEqual(walked, ids(orderListOf(whole).data), 'the orders walked page by page, against one page of 100 read before the walk', whole, ...pages);
  },
);

export const listFiltersByPatient = defineCheck(
  'sandbox/list-filters-by-patient-id',
  'GET /sandbox/orders?patientId=… lists only that patient\'s orders, the new one included',
  async ({ client, require }) => {
    require('sandboxList');
    const api = client();
    const guide = guideOrder();
    const patientId = PUBLISHED_PATIENT_IDS.find((id) => id !== guide.patientId)!;
    const { exchange: theirs, order } = await createOrder(api, { ...guide, patientId });
    const { exchange: others } = await createOrder(api, guide);
    const listed = await api.listOrders({ patientId, limit: 100 });
    expectStatus(listed, 200, `listing the orders of ${patientId}`, theirs, others);
    const data = orderListOf(listed).data;
    ensure(data.every((one) => one.patientId === patientId) && ids(data).includes(order.id),
      `patientId=${patientId} does not list exactly that patient's orders including the new ${order.id}`, theirs, others, listed);
  },
);

type OrderHistory = { history: Array<{ status: string; at: string; reason: string }> };

export const historyRecordsEachChange = defineCheck(
  'sandbox/order-history-records-each-status-change-with-its-time',
  'GET /sandbox/orders/{orderId}/history of an order advanced step by step to delivered lists pending, processing, shipped and delivered, oldest first, '
    + 'each with a reason and the time the order showed as its updatedAt (pending: its createdAt)',
  async ({ client, require }) => {
    require('orderHistory');
    require('sandboxAdvance');
    const api = client();
    const { exchange: created, order } = await createOrder(api);
    const steps = [created];
    const expected = [{ status: 'pending', at: order.createdAt }];
    for (const status of ['processing', 'shipped', 'delivered'] as const) {
      const advanced = await api.advanceOrder(order.id, status);
      expectStatus(advanced, 200, `advancing the order to ${status}`, ...steps);
      steps.push(advanced);
      expected.push({ status, at: orderOf(advanced).updatedAt });
    }
    const read = await api.send({ method: 'GET', path: `/sandbox/orders/${encodeURIComponent(order.id)}/history` });
    expectStatus(read, 200, 'reading the order\'s history', ...steps);
    const { history } = read.json as OrderHistory;
    expectEqual(history.map(({ status, at }) => ({ status, at })), expected, 'the history against the order as it was advanced', ...steps, read);
    ensure(history.every(({ reason }) => reason.trim() !== ''), 'a history entry has an empty reason', ...steps, read);
  },
);

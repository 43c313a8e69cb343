import type { OrderStatus, RefillStatus } from '../../api-types.ts';
import { isoTime } from '../../clock.ts';
import type { ListQuery } from '../../domain/listing.ts';
import { Refusal } from '../../domain/refusal.ts';
import { bodyValidator, parameterTest, queryValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { ok, type Handlers } from '../respond.ts';
import type { Page } from '../../store/store.ts';
import type { Services } from '../services.ts';

/** The query of a sandbox listing, as the spec declares it. */
type ListParams<Status extends string> = { limit: number; cursor?: string; status?: Status; patientId?: string };

const validateOrderList = queryValidator<ListParams<OrderStatus>>('sandboxListOrders');
const validateRefillList = queryValidator<ListParams<RefillStatus>>('sandboxListRefills');
const validateClockAdvance = bodyValidator<{ seconds: number }>('ClockAdvanceRequest');
const validateOrderAdvance = bodyValidator<{ to?: OrderStatus }>('OrderAdvanceRequest');
const validateReset = bodyValidator<Record<string, never>>('ResetRequest');
const isOrderId = parameterTest('OrderId');
const isRefillId = parameterTest('RefillId');

/** A cursor is the id of the last record of a page, so it survives any write but a reset. */
function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function listQuery<Status extends string>({ limit, cursor, status, patientId }: ListParams<Status>, isId: (id: string) => boolean): ListQuery<Status> {
  let after: string | undefined;
  if (cursor !== undefined) {
    after = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!isId(after)) throw new Refusal('invalid_request', 'The cursor is not one this sandbox issued', { field: 'cursor', reason: 'Malformed cursor' });
  }
  return {
    limit,
    ...(after === undefined ? {} : { after }),
    ...(status === undefined ? {} : { status }),
    ...(patientId === undefined ? {} : { patientId }),
  };
}

/** A store's page as the API answers it (`OrderList`, `RefillList`), with the cursor of the page after it. */
function pageOf<Entry, Item extends { id: string }>(page: Page<Entry>, item: (entry: Entry) => Item) {
  const data = page.records.map(item);
  const last = data.at(-1);
  return { data, hasMore: page.hasMore, nextCursor: page.hasMore && last !== undefined ? encodeCursor(last.id) : null };
}

/** Time control, inspection, listing and reset: what only a sandbox offers. */
export function sandboxHandlers({ orders, refills, clocks, tenancy, journal, coverage, maxBodyBytes, advanceClock }: Services) {
  const clockView = (tenant: string) => {
    const clock = clocks.for(tenant);
    return { now: isoTime(clock.now()), mode: clock.mode, timeScale: clock.timeScale };
  };
  return {
    sandboxListOrders: async (c) => {
      const page = await orders.list(c.get('tenant'), listQuery(validateOrderList(c.req.query()), isOrderId));
      return ok<'sandboxListOrders'>(c, pageOf(page, (record) => record.order));
    },
    sandboxListRefills: async (c) => {
      const page = await refills.list(c.get('tenant'), listQuery(validateRefillList(c.req.query()), isRefillId));
      return ok<'sandboxListRefills'>(c, pageOf(page, (record) => record.refill));
    },
    sandboxOrderHistory: async (c, { orderId }) => {
      const record = await orders.get(c.get('tenant'), orderId);
      return ok<'sandboxOrderHistory'>(c, { orderId: record.order.id, history: record.history });
    },
    sandboxAdvanceOrder: async (c, { orderId }) => {
      const { to } = validateOrderAdvance(await readJsonObject(c.req.raw, maxBodyBytes, true));
      return ok<'sandboxAdvanceOrder'>(c, (await orders.advance(c.get('tenant'), orderId, to)).order);
    },
    sandboxRefillHistory: async (c, { refillId }) => {
      const record = await refills.get(c.get('tenant'), refillId);
      return ok<'sandboxRefillHistory'>(c, { refillId: record.refill.id, history: record.history });
    },
    sandboxGetClock: (c) => ok<'sandboxGetClock'>(c, clockView(c.get('tenant'))),
    sandboxAdvanceClock: async (c) => {
      const { seconds } = validateClockAdvance(await readJsonObject(c.req.raw, maxBodyBytes));
      const tenant = c.get('tenant');
      await advanceClock(tenant, Math.round(seconds * 1000));
      return ok<'sandboxAdvanceClock'>(c, clockView(tenant));
    },
    sandboxListRequests: (c) => ok<'sandboxListRequests'>(c, { data: journal.list(c.get('tenant')) }),
    sandboxCoverage: (c) => ok<'sandboxCoverage'>(c, coverage.report(c.get('tenant'))),
    sandboxReset: async (c) => {
      validateReset(await readJsonObject(c.req.raw, maxBodyBytes, true));
      await tenancy.reset(c.get('tenant'));
      return ok<'sandboxReset'>(c, { reset: true });
    },
  } satisfies Partial<Handlers>;
}

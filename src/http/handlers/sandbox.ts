import type { OrderStatus } from '../../api-types.ts';
import { isoTime } from '../../clock.ts';
import { Refusal } from '../../domain/refusal.ts';
import { bodyValidator, parameterTest, queryValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { ok, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';

type ListQuery = { limit: number; cursor?: string; status?: OrderStatus; patientId?: string };

const validateListQuery = queryValidator<ListQuery>('sandboxListOrders');
const validateClockAdvance = bodyValidator<{ seconds: number }>('ClockAdvanceRequest');
const validateOrderAdvance = bodyValidator<{ to?: OrderStatus }>('OrderAdvanceRequest');
const validateReset = bodyValidator<Record<string, never>>('ResetRequest');
const isOrderId = parameterTest('OrderId');

function encodeCursor(orderId: string): string {
  return Buffer.from(orderId).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const orderId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isOrderId(orderId)) {
    throw new Refusal('invalid_request', 'The cursor is not one this sandbox issued', { field: 'cursor', reason: 'Malformed cursor' });
  }
  return orderId;
}

/** Time control, inspection, listing and reset: what only a sandbox offers. */
export function sandboxHandlers({ orders, refills, clocks, tenancy, maxBodyBytes, advanceClock }: Services) {
  const clockView = (tenant: string) => {
    const clock = clocks.for(tenant);
    return { now: isoTime(clock.now()), mode: clock.mode, timeScale: clock.timeScale };
  };
  return {
    sandboxListOrders: async (c) => {
      const query = validateListQuery(c.req.query());
      const page = await orders.list(c.get('tenant'), {
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.patientId === undefined ? {} : { patientId: query.patientId }),
      });
      const last = page.records.at(-1);
      return ok<'sandboxListOrders'>(c, {
        data: page.records.map((record) => record.order),
        hasMore: page.hasMore,
        nextCursor: page.hasMore && last !== undefined ? encodeCursor(last.order.id) : null,
      });
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
    sandboxReset: async (c) => {
      validateReset(await readJsonObject(c.req.raw, maxBodyBytes, true));
      await tenancy.reset(c.get('tenant'));
      return ok<'sandboxReset'>(c, { reset: true });
    },
  } satisfies Partial<Handlers>;
}

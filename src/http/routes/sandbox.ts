import type { OrderStatus } from '../../api-types.ts';
import { isoTime } from '../../clock.ts';
import { ApiError } from '../../errors.ts';
import { bodyValidator, parameterTest, queryValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { json, type Route, type RouteServices } from '../routing.ts';
import { orderIdParam } from './orders.ts';
import { refillIdParam } from './refills.ts';

type ListQuery = { limit: number; cursor?: string; status?: OrderStatus; patientId?: string };

const validateListQuery = queryValidator<ListQuery>('sandboxListOrders');
const validateClockAdvance = bodyValidator<{ seconds: number }>('ClockAdvanceRequest');
const validateOrderAdvance = bodyValidator<{ to?: OrderStatus }>('OrderAdvanceRequest');
const isOrderId = parameterTest('OrderId');

function encodeCursor(orderId: string): string {
  return Buffer.from(orderId).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const orderId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isOrderId(orderId)) {
    throw new ApiError('invalid_request', 'The cursor is not one this sandbox issued', { field: 'cursor', reason: 'Malformed cursor' });
  }
  return orderId;
}

/** Time control, inspection, listing and reset: what only a sandbox offers. */
export function sandboxRoutes(route: Route, { orders, refills, webhooks, clocks, maxBodyBytes, resetTenant }: RouteServices): void {
  route('GET', '/sandbox/orders', async (c) => {
    const query = validateListQuery(c.req.query());
    const page = await orders.list(c.get('tenant'), {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.patientId === undefined ? {} : { patientId: query.patientId }),
    });
    const last = page.records.at(-1);
    return json(c, {
      data: page.records.map((record) => record.order),
      hasMore: page.hasMore,
      nextCursor: page.hasMore && last !== undefined ? encodeCursor(last.order.id) : null,
    });
  });

  route('GET', '/sandbox/orders/:orderId/history', async (c) => {
    const record = await orders.get(c.get('tenant'), orderIdParam(c));
    return json(c, { orderId: record.order.id, history: record.history });
  });

  route('POST', '/sandbox/orders/:orderId/advance', async (c) => {
    const orderId = orderIdParam(c);
    const { to } = validateOrderAdvance(await readJsonObject(c.req.raw, maxBodyBytes, true));
    return json(c, (await orders.advance(c.get('tenant'), orderId, to)).order);
  });

  route('GET', '/sandbox/refills/:refillId/history', async (c) => {
    const record = await refills.get(c.get('tenant'), refillIdParam(c));
    return json(c, { refillId: record.refill.id, history: record.history });
  });

  const clockView = (tenant: string) => {
    const clock = clocks.for(tenant);
    return { now: isoTime(clock.now()), mode: clock.mode, timeScale: clock.timeScale };
  };

  route('GET', '/sandbox/clock', (c) => json(c, clockView(c.get('tenant'))));

  route('POST', '/sandbox/clock/advance', async (c) => {
    const { seconds } = validateClockAdvance(await readJsonObject(c.req.raw, maxBodyBytes));
    const tenant = c.get('tenant');
    clocks.for(tenant).advance(Math.round(seconds * 1000));
    await orders.sweep(tenant);
    await refills.sweep(tenant);
    await webhooks.drain(tenant);
    return json(c, clockView(tenant));
  });

  route('POST', '/sandbox/reset', async (c) => {
    await resetTenant(c.get('tenant'));
    return json(c, { reset: true });
  });
}

/**
 * The "bare Hono + Map" baseline for `npm run bench`: the same two routes as the sandbox with
 * nothing else (no auth, validation, idempotency, tenants or error envelope).
 *
 *   tsx bench/baseline-server.ts [--port N] [--host H]     (or PORT=N; default 0, any free port)
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { testDataOrders } from '../src/domain/test-data.ts';

interface Order {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

const { values, positionals } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
  allowPositionals: true,
});
const port = Number(values.port ?? positionals[0] ?? process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`baseline-server: not a port: ${values.port ?? positionals[0] ?? process.env.PORT}`);
  process.exit(2);
}

const orders = new Map<string, Order>();
// The sandbox's own published test order, so GET answers are of the same size.
const testOrder = testDataOrders()[0]!.order;
orders.set(testOrder.id, testOrder);

const app = new Hono();

app.get('/orders/:id', (c) => {
  const order = orders.get(c.req.param('id'));
  return order === undefined ? c.json({ error: 'not_found' }, 404) : c.json(order);
});

app.post('/orders', async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  const now = new Date().toISOString();
  const order: Order = { ...body, id: `ord_${randomUUID().replaceAll('-', '')}`, status: 'pending', createdAt: now, updatedAt: now };
  orders.set(order.id, order);
  return c.json(order, 201, { Location: `/orders/${order.id}` });
});

const server = serve({ fetch: app.fetch, port, hostname: values.host }, (info) => {
  console.log(`Baseline (bare Hono + Map) listening on http://${info.address}:${info.port}`);
});

function shutdown(): void {
  server.close(() => process.exit(0));
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Started by bench/run.ts with an IPC channel: never outlive it, even if it is killed outright.
if (process.send !== undefined) process.on('disconnect', () => process.exit(0));

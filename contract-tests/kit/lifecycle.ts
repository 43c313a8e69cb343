import { setTimeout as delay } from 'node:timers/promises';
import { CAPABILITY_NAMES, type Capabilities } from './capabilities.ts';
import type { CheckContext } from './check.ts';
import { orderOf, type Client, type Order } from './client.ts';
import { ContractViolation, type Exchange } from './exchange.ts';
import { expectStatus } from './expect.ts';

/**
 * Waiting for orders to move along where the target offers no sandbox helper to move them:
 * `GET /orders/{orderId}` is polled until the order gets where a check needs it, for at most
 * NIMBUS_LIFECYCLE_TIMEOUT. Without that variable such a check skips, saying why.
 */

type OrderStatus = Order['status'];

export const ORDER_PATH: readonly OrderStatus[] = ['pending', 'processing', 'shipped', 'delivered'];

/** Whether `status` is `wanted` or past it on pending → processing → shipped → delivered. */
export const reached = (status: OrderStatus, wanted: OrderStatus) => ORDER_PATH.indexOf(status) >= ORDER_PATH.indexOf(wanted);

const SLOWEST_POLL_MS = 1000;
const FASTEST_POLL_MS = 20;

/**
 * Reads the order until `until` holds for it. Returns every read, oldest first. Skips the check
 * when NIMBUS_LIFECYCLE_TIMEOUT is unset (or 0), naming the helper that would have spared the wait;
 * fails when the order does not get there in time.
 */
export async function pollOrder(
  context: CheckContext, api: Client, orderId: string, until: (order: Order) => boolean, what: string, helper: keyof Capabilities, ...before: Exchange[]
): Promise<Exchange[]> {
  const timeoutMs = context.target.lifecycleTimeoutMs ?? 0;
  if (timeoutMs <= 0) {
    context.skip(`needs ${CAPABILITY_NAMES[helper]} to move orders along, which this run cannot use (${context.capabilities[helper].evidence}); `
      + `pass --lifecycle-timeout MS (or set NIMBUS_LIFECYCLE_TIMEOUT) to wait instead for ${what} in real time`);
  }
  const intervalMs = Math.min(SLOWEST_POLL_MS, Math.max(FASTEST_POLL_MS, Math.floor(timeoutMs / 20)));
  const deadline = Date.now() + timeoutMs;
  const reads: Exchange[] = [];
  for (;;) {
    const read = await api.getOrder(orderId);
    expectStatus(read, 200, `reading the order ${orderId} while waiting for ${what}`, ...before);
    reads.push(read);
    if (until(orderOf(read))) return reads;
    if (Date.now() >= deadline) {
      throw new ContractViolation(`${what} did not happen within NIMBUS_LIFECYCLE_TIMEOUT (${timeoutMs} ms): after ${reads.length} reads the order is ${orderOf(read).status}`,
        [...before, reads[0]!, ...(reads.length > 1 ? [read] : [])]);
    }
    await delay(intervalMs);
  }
}

/**
 * Moves an order of the client's to `to` (a status on pending → processing → shipped → delivered):
 * with `POST /sandbox/orders/{orderId}/advance` where offered, else by polling until it gets there
 * (or past it) on its own. Returns the exchange that shows it there.
 */
export async function moveOrder(context: CheckContext, api: Client, orderId: string, to: OrderStatus, ...before: Exchange[]): Promise<Exchange> {
  if (context.capabilities.sandboxAdvance.offered) {
    const advanced = await api.advanceOrder(orderId, to);
    expectStatus(advanced, 200, `advancing the order to ${to}`, ...before);
    return advanced;
  }
  const reads = await pollOrder(context, api, orderId, (now) => reached(now.status, to), `the order to reach ${to}`, 'sandboxAdvance', ...before);
  return reads.at(-1)!;
}

/**
 * The most memory one API key can hold at the default caps, measured in process:
 * `node --expose-gc --import tsx bench/key-memory.ts`. Fills one key with the most orders it may
 * hold (every field at its longest, each with its own Idempotency-Key, so the 10,000 kept keys
 * hold their answers too), then the most refills, then the most webhook endpoints, each with the
 * most delivery attempts kept, each attempt of a different event whose body has every id at its
 * longest (attempts of one event share their body and signature, so this is the most they hold);
 * prints the heap after a GC at each step.
 */
import { createSandbox } from '../src/sandbox.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { DEFAULT_MAX_ORDERS } from '../src/domain/orders.ts';
import { DEFAULT_MAX_REFILLS } from '../src/domain/refills.ts';
import { DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_ENDPOINTS } from '../src/webhooks/webhook-service.ts';
import { signWebhook } from '../src/webhooks/signature.ts';
import type { WebhookDelivery } from '../src/api-types.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const text = (length: number, seed: number) => `${seed.toString(36)} `.padEnd(length, 'abcdefghijklmnopqrstuvwxyz0123456789 ');

const store = new MemoryStore();
const sandbox = createSandbox({ store, rateLimit: false, clockMode: 'virtual', sweepIntervalMs: 0, webhookSender: async () => ({ status: 200, error: null }) });
const headers = (key: string) => ({ 'X-API-Key': 'sk_memory', 'Content-Type': 'application/json', 'Idempotency-Key': key });
const post = (path: string, body: unknown, key: string) => sandbox.request(path, { method: 'POST', headers: headers(key), body: JSON.stringify(body) });

await (await sandbox.request('/orders/ord_1234567890', { headers: { 'X-API-Key': 'sk_memory' } })).text();
const base = heapMiB();
const report = (label: string, since: number) => {
  const now = heapMiB();
  console.log(`${label}: +${(now - since).toFixed(1)} MiB (heap ${now.toFixed(1)} MiB)`);
  return now;
};

let orders = 1; // the published test order
for (let i = 0; ; i++) {
  const response = await post('/orders', {
    patientId: `pat_${String(i).padStart(58, '0')}`, prescriptionId: `rx_${String(i).padStart(61, '0')}`,
    shippingAddress: { street1: text(200, i), street2: text(200, i + 1), city: text(100, i + 2), state: 'TX', zip: '78701-1234', country: 'US' },
    notes: text(1000, i + 3),
  }, `order-${i}`);
  await response.text();
  if (response.status === 409) break;
  if (response.status !== 201) throw new Error(`order ${i}: ${response.status}`);
  orders++;
}
let at = report(`${orders} orders (max ${DEFAULT_MAX_ORDERS}), 10,000 idempotency keys with their answers`, base);

let refills = 0;
for (let i = 0; ; i++) {
  const response = await post('/refills', { prescriptionId: `rx_${String(i).padStart(61, '0')}`, patientId: `pat_${String(i).padStart(60, '0')}`, requestedQuantity: 30 }, `refill-${i}`);
  await response.text();
  if (response.status === 409) break;
  if (response.status !== 201) throw new Error(`refill ${i}: ${response.status}`);
  refills++;
}
at = report(`${refills} refills (max ${DEFAULT_MAX_REFILLS})`, at);

const deliveryError = text(200, 7);
for (let e = 0; e < DEFAULT_MAX_ENDPOINTS; e++) {
  const response = await sandbox.request('/sandbox/webhook-endpoints', {
    method: 'POST', headers: { 'X-API-Key': 'sk_memory', 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `https://receiver.example/${text(1800, e).replace(/ /g, '-')}` }),
  });
  if (response.status !== 201) throw new Error(`endpoint ${e}: ${response.status} ${await response.text()}`);
  const { id, secret } = await response.json() as { id: string; secret: string };
  const attempts: WebhookDelivery[] = Array.from({ length: DEFAULT_MAX_DELIVERIES + 10 }, (_, n) => {
    const eventId = `evt_${String(e * 10_000 + n).padStart(24, '0')}`;
    const attemptedAt = new Date(Date.UTC(2025, 1, 3) + n * 1000).toISOString();
    const body = JSON.stringify({
      id: eventId, type: 'order.created', createdAt: attemptedAt,
      data: { orderId: `ord_${String(n).padStart(60, '0')}`, patientId: `pat_${String(n).padStart(60, '0')}`, prescriptionId: `rx_${String(n).padStart(61, '0')}`, status: 'pending' },
    });
    return {
      eventId, eventType: 'order.created', body, signature: signWebhook(body, secret), attempt: 1,
      attemptedAt, succeeded: false, responseStatus: 500, error: `${deliveryError}${n}`, nextRetryAt: null, deadLettered: true,
    };
  });
  for (let n = 0; n < attempts.length; n += 32) await store.appendDeliveries('sk_memory', id, attempts.slice(n, n + 32), DEFAULT_MAX_DELIVERIES);
}
at = report(`${DEFAULT_MAX_ENDPOINTS} endpoints, ${DEFAULT_MAX_DELIVERIES} failed attempts kept each`, at);
console.log(`one key in all: ${(at - base).toFixed(1)} MiB`);
await sandbox.close();

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecorder } from '../../contract-tests/drift/record.ts';
import { Client } from '../../contract-tests/kit/client.ts';
import { operation, requestExample } from '../../contract-tests/kit/spec.ts';
import type { FetchFn } from '../../contract-tests/kit/target.ts';
import { serveOnFreePort } from '../../src/contract-command.ts';
import { createSandbox, type SandboxOptions } from '../../src/sandbox.ts';

/** An integrator's integration suite, in short: what a user would record against the real Nimbus sandbox. */
export type Script = (as: (key: string | undefined) => Client) => Promise<void>;

const guide = () => requestExample(operation('createOrder'), 'guide') as Record<string, unknown>;
const idOf = (json: unknown) => (json as { id: string }).id;

/** Orders, idempotency, errors, lifecycle through the sandbox helpers, refills, lists with cursors, tenancy, webhooks, the clock. */
export const fullSuite: Script = async (as) => {
  const alice = as('alice-key');
  const created = await alice.createOrder(guide(), 'order-1');
  const orderId = idOf(created.json);
  await alice.getOrder(orderId);
  await alice.createOrder(guide(), 'order-1');
  await alice.advanceOrder(orderId, 'shipped');
  await alice.getOrder(orderId);
  await alice.cancelOrder(orderId);
  await alice.createOrder({ ...guide(), shippingAddress: { ...(guide().shippingAddress as object), zip: 'nope' } });
  await alice.getOrder('ord_doesNotExist');
  await alice.getOrder('ord_1234567890');
  const second = idOf((await alice.createOrder(guide())).json);
  await alice.cancelOrder(second);
  const page = await alice.listOrders({ limit: 1 });
  const cursor = (page.json as { nextCursor: string | null }).nextCursor;
  if (cursor !== null) await alice.listOrders({ limit: 1, cursor });
  const refill = await alice.createRefill({ prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890' });
  await alice.getRefill(idOf(refill.json));
  await as('bob-key').getOrder(orderId);
  await as(undefined).getOrder(orderId);
  await as('').getOrder(orderId);
  const endpoint = await alice.send({ method: 'POST', path: '/sandbox/webhook-endpoints', json: { url: 'http://127.0.0.1:9/hooks', events: ['order.created'] } });
  await alice.send({ method: 'GET', path: '/sandbox/webhook-endpoints' });
  await alice.send({ method: 'DELETE', path: `/sandbox/webhook-endpoints/${idOf(endpoint.json)}` });
  await alice.advanceClock(3600);
  await alice.getClock();
  await alice.getOrder(orderId);
};

export const IN_PROCESS_BASE_URL = 'http://sandbox.test';

/** Runs the script through `nimbus-sandbox record`'s proxy in front of a fresh sandbox; the transcript's text. */
export async function recordScript(script: Script, options: SandboxOptions = {}): Promise<string> {
  const sandbox = createSandbox({ sweepIntervalMs: 0, webhookSender: async () => ({ status: 200, error: null }), ...options } as SandboxOptions);
  const served = await serveOnFreePort(sandbox.fetch);
  const directory = mkdtempSync(join(tmpdir(), 'nimbus-script-'));
  const outFile = join(directory, 'transcript.jsonl');
  const recorder = await startRecorder({ upstream: served.baseUrl, port: 0, outFile, recorder: 'nimbus-sandbox test', output: { log: () => {} } });
  try {
    const target = { baseUrl: recorder.url, fetch: (request: Request) => fetch(request), maxRetryWaitMs: 0 };
    await script((key) => new Client(target, key));
    await recorder.stop();
    return readFileSync(outFile, 'utf8');
  } finally {
    await recorder.stop();
    await served.stop();
    await sandbox.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export type InProcessSandbox = { fetch: FetchFn; close(): Promise<void> };

export function freshSandbox(options: SandboxOptions = {}): InProcessSandbox {
  const sandbox = createSandbox({ sweepIntervalMs: 0, webhookSender: async () => ({ status: 200, error: null }), ...options } as SandboxOptions);
  return { fetch: (request) => sandbox.fetch(request), close: () => sandbox.close() };
}

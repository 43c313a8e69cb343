import type { Capabilities } from '../kit/capabilities.ts';
import { defineCheck } from '../kit/check.ts';
import type { Call } from '../kit/client.ts';
import { expectError } from '../kit/expect.ts';
import { operations, requestExample, type Operation } from '../kit/spec.ts';
import { PUBLISHED_ORDER_ID } from '../kit/test-data.ts';

/**
 * The operations the kit covers, each with the capability that says the target offers it
 * (none: published, always offered). Other operations join as their checks do.
 */
const COVERED: Record<string, keyof Capabilities | undefined> = {
  createOrder: undefined,
  getOrder: undefined,
  cancelOrder: 'cancel',
  sandboxListOrders: 'sandboxList',
  sandboxReset: 'sandboxReset',
  sandboxGetClock: 'sandboxClock',
  sandboxAdvanceClock: 'sandboxClock',
  sandboxAdvanceOrder: 'sandboxAdvance',
  createRefill: 'refills',
  getRefill: 'refillRead',
  sendTestWebhook: undefined,
  sandboxCreateWebhookEndpoint: 'webhookEndpoints',
  sandboxDeleteWebhookEndpoint: 'webhookEndpoints',
  sandboxListWebhookDeliveries: 'webhookEndpoints',
  sandboxOrderHistory: 'orderHistory',
};

function isCoveredAndOffered(op: Operation, capabilities: Capabilities): boolean {
  if (!(op.id in COVERED)) return false;
  const capability = COVERED[op.id];
  return capability === undefined || capabilities[capability].offered;
}

function sampleCall(op: Operation): Call {
  const path = op.path.replace(/\{[^}]+\}/g, PUBLISHED_ORDER_ID);
  const example = Object.keys(op.spec.requestBody?.content['application/json']?.examples ?? {})[0];
  const json = example === undefined ? undefined : requestExample(op, example);
  return { method: op.method as Call['method'], path, ...(json === undefined ? {} : { json }) };
}

export const missingKeyIs401 = defineCheck(
  'auth/requests-without-an-api-key-are-401-unauthorized',
  'Every covered operation the target offers (orders, refills, the test webhook and the sandbox helpers the kit uses) refuses a request with a missing or empty X-API-Key with 401 unauthorized',
  async ({ anonymousClient, capabilities }) => {
    const api = anonymousClient();
    for (const op of operations.filter((candidate) => isCoveredAndOffered(candidate, capabilities))) {
      const call = sampleCall(op);
      expectError(await api.send(call), 401, 'unauthorized', `${op.method} ${op.path} without X-API-Key`);
      expectError(await api.send({ ...call, headers: { 'X-API-Key': '' } }), 401, 'unauthorized', `${op.method} ${op.path} with an empty X-API-Key`);
    }
  },
);

import type { WebhookEventType } from '../../api-types.ts';
import { bodyValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { ok, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';

const validateEndpointCreate = bodyValidator<{ url: string; events?: WebhookEventType[] }>('WebhookEndpointCreateRequest');
const validateWebhookTest = bodyValidator<{ eventType?: WebhookEventType; webhookUrl?: string }>('WebhookTestRequest');

/** The published `POST /webhooks/test`, and endpoint registration under `/sandbox`. */
export function webhookHandlers({ webhooks, maxBodyBytes }: Services) {
  return {
    sendTestWebhook: async (c) => {
      const { eventType = 'order.created', webhookUrl } = validateWebhookTest(await readJsonObject(c.req.raw, maxBodyBytes, true));
      const webhookId = webhooks.sendTest(c.get('tenant'), eventType, webhookUrl);
      return ok<'sendTestWebhook'>(c, { success: true, message: 'Test webhook sent', webhookId });
    },
    sandboxCreateWebhookEndpoint: async (c) => {
      const { url, events } = validateEndpointCreate(await readJsonObject(c.req.raw, maxBodyBytes));
      return ok<'sandboxCreateWebhookEndpoint'>(c, await webhooks.createEndpoint(c.get('tenant'), url, events), 201);
    },
    sandboxListWebhookEndpoints: async (c) => ok<'sandboxListWebhookEndpoints'>(c, await webhooks.listEndpoints(c.get('tenant'))),
    sandboxDeleteWebhookEndpoint: async (c, { endpointId }) => {
      await webhooks.deleteEndpoint(c.get('tenant'), endpointId);
      return ok<'sandboxDeleteWebhookEndpoint'>(c, { id: endpointId, deleted: true });
    },
    sandboxListWebhookDeliveries: async (c, { endpointId }) => ok<'sandboxListWebhookDeliveries'>(c, { data: await webhooks.deliveries(c.get('tenant'), endpointId) }),
  } satisfies Partial<Handlers>;
}

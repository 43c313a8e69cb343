import type { WebhookEventType } from '../../webhooks/events.ts';
import { bodyValidator, parameterTest } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { idParam, json, type Route, type RouteServices, type SandboxContext } from '../routing.ts';

const validateEndpointCreate = bodyValidator<{ url: string; events?: WebhookEventType[] }>('WebhookEndpointCreateRequest');
const validateWebhookTest = bodyValidator<{ eventType?: WebhookEventType; webhookUrl?: string }>('WebhookTestRequest');
const isEndpointId = parameterTest('EndpointId');

const endpointIdParam = (c: SandboxContext) => idParam(c, 'endpointId', isEndpointId, 'webhook endpoint', 'we_');

/** The published `POST /webhooks/test`, and endpoint registration under `/sandbox`. */
export function webhookRoutes(route: Route, { webhooks, maxBodyBytes }: RouteServices): void {
  route('POST', '/webhooks/test', async (c) => {
    const { eventType = 'order.created', webhookUrl } = validateWebhookTest(await readJsonObject(c.req.raw, maxBodyBytes, true));
    const webhookId = webhooks.sendTest(c.get('tenant'), eventType, webhookUrl);
    return json(c, { success: true, message: 'Test webhook sent', webhookId });
  });

  route('POST', '/sandbox/webhook-endpoints', async (c) => {
    const { url, events } = validateEndpointCreate(await readJsonObject(c.req.raw, maxBodyBytes));
    return json(c, webhooks.createEndpoint(c.get('tenant'), url, events), 201);
  });

  route('GET', '/sandbox/webhook-endpoints', (c) => json(c, webhooks.listEndpoints(c.get('tenant'))));

  route('DELETE', '/sandbox/webhook-endpoints/:endpointId', (c) => {
    const endpointId = endpointIdParam(c);
    webhooks.deleteEndpoint(c.get('tenant'), endpointId);
    return json(c, { id: endpointId, deleted: true });
  });

  route('GET', '/sandbox/webhook-endpoints/:endpointId/deliveries', (c) => json(c, { data: webhooks.deliveries(c.get('tenant'), endpointIdParam(c)) }));
}

import { defineCheck } from '../kit/check.ts';
import { errorOf, type WebhookTestResult } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';

/** Nothing listens there; the test event is sent after the answer, so its fate does not matter. */
const NOWHERE = 'http://127.0.0.1:9/never';

const header = (exchange: { headers: Headers }, name: string) => Number(exchange.headers.get(name));

export const testWebhookAnswers200 = defineCheck(
  'webhooks/test-webhook-answers-200-with-a-wh-test-id',
  'POST /webhooks/test with only a webhookUrl (eventType defaulted) answers 200 {"success":true,"message":"Test webhook sent","webhookId":"wh_test_…"}',
  async ({ client }) => {
    const sent = await client().sendTestWebhook({ webhookUrl: NOWHERE });
    expectStatus(sent, 200, 'sending a test webhook');
    const { success, message, webhookId } = sent.json as WebhookTestResult;
    expectEqual({ success, message }, { success: true, message: 'Test webhook sent' }, 'the test webhook\'s answer', sent);
    ensure(typeof webhookId === 'string' && /^wh_test_/.test(webhookId), `webhookId ${JSON.stringify(webhookId)} does not start with wh_test_`, sent);
  },
);

export const unknownEventTypeIs422 = defineCheck(
  'webhooks/unknown-event-type-is-422-naming-event-type',
  'POST /webhooks/test with an eventType that is no webhook event is refused with 422 validation_error whose details.field is eventType',
  async ({ client }) => {
    const refused = await client().sendTestWebhook({ eventType: 'order.teleported', webhookUrl: NOWHERE });
    expectError(refused, 422, 'validation_error', 'sending a test webhook of eventType order.teleported');
    expectEqual(errorOf(refused)?.details?.field, 'eventType', 'details.field', refused);
  },
);

export const testWebhooksAreRateLimited = defineCheck(
  'webhooks/test-webhooks-count-toward-the-rate-limit',
  'Answers of POST /webhooks/test carry X-RateLimit-Limit, -Remaining and -Reset, and X-RateLimit-Remaining drops with each request',
  async ({ client }) => {
    const api = client();
    const first = await api.sendTestWebhook({ webhookUrl: NOWHERE });
    const second = await api.sendTestWebhook({ webhookUrl: NOWHERE });
    expectStatus(first, 200, 'sending a test webhook');
    expectStatus(second, 200, 'sending another', first);
    expectEqual(header(second, 'X-RateLimit-Limit'), header(first, 'X-RateLimit-Limit'), 'X-RateLimit-Limit across two requests', first, second);
    const rolledOver = header(second, 'X-RateLimit-Reset') !== header(first, 'X-RateLimit-Reset');
    ensure(rolledOver || header(second, 'X-RateLimit-Remaining') < header(first, 'X-RateLimit-Remaining'),
      'X-RateLimit-Remaining of POST /webhooks/test did not drop from one request to the next within one window', first, second);
  },
);

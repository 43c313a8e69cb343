import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a webhook's signature travels in. */
export const SIGNATURE_HEADER = 'X-Webhook-Signature';

/** The `X-Webhook-Signature` the contract publishes: hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
export function webhookSignature(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Whether `signature` is `webhookSignature(body, secret)`. */
export function signatureVerifies(body: string, signature: string | undefined, secret: string): boolean {
  if (signature === undefined || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  return timingSafeEqual(Buffer.from(webhookSignature(body, secret), 'hex'), Buffer.from(signature, 'hex'));
}

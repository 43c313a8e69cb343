import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of the raw body with the endpoint's secret: the `X-Webhook-Signature` header. */
export function signWebhook(rawBody: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * True when `signature` is the `X-Webhook-Signature` Nimbus computes for `rawBody` with `secret`.
 * Pass the body exactly as received: re-serialised JSON will not verify.
 */
export function verifyWebhookSignature(rawBody: string | Uint8Array, signature: string | null | undefined, secret: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signWebhook(rawBody, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

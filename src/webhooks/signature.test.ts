import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.ts';

const SECRET = 'whsec_0123456789abcdefABCDEF0123456789';
const BODY = '{"id":"evt_abc123","type":"order.created","createdAt":"2025-02-03T15:00:00Z","data":{"orderId":"ord_1","patientId":"pat_test_001","prescriptionId":"rx_test_001","status":"pending"}}';

describe('signWebhook', () => {
  it('matches a widely published HMAC-SHA256 value', () => {
    // HMAC-SHA256 with key "key" over "The quick brown fox jumps over the lazy dog" (Wikipedia's example).
    expect(signWebhook('The quick brown fox jumps over the lazy dog', 'key'))
      .toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });

  it('is lowercase hex of 64 characters', () => {
    expect(signWebhook(BODY, SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs bytes and the same text identically', () => {
    expect(signWebhook(Buffer.from(BODY, 'utf8'), SECRET)).toBe(signWebhook(BODY, SECRET));
  });

  it('signs non-ASCII text as its UTF-8 bytes', () => {
    const body = '{"note":"café ✓"}';
    const expected = createHmac('sha256', SECRET).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signWebhook(body, SECRET)).toBe(expected);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts the signature signWebhook made for the same body and secret', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, SECRET), SECRET)).toBe(true);
  });

  it('accepts a body given as bytes', () => {
    expect(verifyWebhookSignature(new TextEncoder().encode(BODY), signWebhook(BODY, SECRET), SECRET)).toBe(true);
  });

  it('refuses a body with one character changed', () => {
    const changed = BODY.replace('pending', 'pendinG');
    expect(verifyWebhookSignature(changed, signWebhook(BODY, SECRET), SECRET)).toBe(false);
  });

  it('refuses the same JSON re-serialised with different whitespace', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(verifyWebhookSignature(reserialised, signWebhook(BODY, SECRET), SECRET)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, 'whsec_other'), SECRET)).toBe(false);
  });

  it('refuses a missing signature (undefined)', () => {
    expect(verifyWebhookSignature(BODY, undefined, SECRET)).toBe(false);
  });

  it('refuses a missing signature (null)', () => {
    expect(verifyWebhookSignature(BODY, null, SECRET)).toBe(false);
  });

  it('refuses an empty signature', () => {
    expect(verifyWebhookSignature(BODY, '', SECRET)).toBe(false);
  });

  it('refuses a signature one hex digit short', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, SECRET).slice(0, 63), SECRET)).toBe(false);
  });

  it('refuses a signature with an extra hex digit', () => {
    expect(verifyWebhookSignature(BODY, `${signWebhook(BODY, SECRET)}0`, SECRET)).toBe(false);
  });

  it('refuses a signature whose first 64 hex digits are right but which carries a trailing newline', () => {
    expect(verifyWebhookSignature(BODY, `${signWebhook(BODY, SECRET)}\n`, SECRET)).toBe(false);
  });

  it('refuses a signature with a scheme prefix such as sha256=', () => {
    expect(verifyWebhookSignature(BODY, `sha256=${signWebhook(BODY, SECRET)}`, SECRET)).toBe(false);
  });

  it('refuses 64 characters that are not hex', () => {
    expect(verifyWebhookSignature(BODY, 'z'.repeat(64), SECRET)).toBe(false);
  });

  it('refuses the base64 encoding of the right HMAC', () => {
    const base64 = createHmac('sha256', SECRET).update(BODY).digest('base64');
    expect(verifyWebhookSignature(BODY, base64, SECRET)).toBe(false);
  });

  it('refuses, without throwing, a repeated header that arrives as an array of values', () => {
    const repeated = [signWebhook(BODY, SECRET), signWebhook(BODY, SECRET)] as unknown as string;
    expect(verifyWebhookSignature(BODY, repeated, SECRET)).toBe(false);
  });

  // Hex is case-insensitive: uppercase digits name the same 32 bytes, so accepting them is
  // sensible (a receiver or proxy that upper-cases the header still verifies), and it does not
  // weaken the check, because the bytes are compared, not the text.
  it('accepts the right signature written in uppercase hex', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, SECRET).toUpperCase(), SECRET)).toBe(true);
  });

  it('refuses a wrong signature written in uppercase hex', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, 'whsec_other').toUpperCase(), SECRET)).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';

const unique = () => `contract-${randomBytes(12).toString('base64url')}`;

/** A new API key no one has used: on a target that accepts any key, a tenant of its own. */
export const freshKey = unique;

/** A new Idempotency-Key. */
export const freshIdempotencyKey = unique;

import { readJsonObject } from '../body.ts';
import { send, type SandboxContext } from '../respond.ts';
import type { Services } from '../services.ts';

/** What a create operation makes of a valid request: the 201's body and its extra headers. */
export type Created = { body: string; headers: Record<string, string> };

/**
 * The published create operations (`POST /orders`, `POST /refills`): the Idempotency-Key checked
 * first, then the body against its schema, then refusals decided from the request alone (which
 * consume no key); the work runs once per key and request, and replays answer from the store.
 */
export function idempotentCreate<Body>(
  { idempotencyKey, idempotent, maxBodyBytes, coverage }: Services,
  creates: 'order' | 'refill',
  validate: (value: unknown) => Body,
  screen: (request: Body) => void,
  create: (tenant: string, request: Body) => Promise<Created>,
) {
  return async (c: SandboxContext): Promise<Response> => {
    const key = idempotencyKey(c);
    const request = validate(await readJsonObject(c.req.raw, maxBodyBytes));
    coverage.requested(c.get('tenant'), c.get('operationId'), request);
    screen(request);
    return send(c, await idempotent(c, key, request, creates, async (requestId) => ({ status: 201, ...await create(c.get('tenant'), request), requestId })));
  };
}

import type { CreateRefillRequest } from '../../api-types.ts';
import { bodyValidator } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { ok, send, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';

const validateCreateRefill = bodyValidator<CreateRefillRequest>('CreateRefillRequest');

export function refillHandlers({ refills, maxBodyBytes, idempotencyKey, idempotent }: Services) {
  return {
    createRefill: async (c) => {
      const key = idempotencyKey(c);
      const request = validateCreateRefill(await readJsonObject(c.req.raw, maxBodyBytes));
      refills.screen(request);
      return send(c, await idempotent(c, key, request, async (requestId) => {
        const { refill } = await refills.create(c.get('tenant'), request);
        return { status: 201, body: JSON.stringify(refill), headers: {}, requestId };
      }));
    },
    getRefill: async (c, { refillId }) => ok<'getRefill'>(c, (await refills.get(c.get('tenant'), refillId)).refill),
  } satisfies Partial<Handlers>;
}

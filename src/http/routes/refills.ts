import type { CreateRefillRequest } from '../../api-types.ts';
import { bodyValidator, parameterTest } from '../../validation.ts';
import { readJsonObject } from '../body.ts';
import { idParam, json, send, type Route, type RouteServices, type SandboxContext } from '../routing.ts';

const validateCreateRefill = bodyValidator<CreateRefillRequest>('CreateRefillRequest');
const isRefillId = parameterTest('RefillId');

export const refillIdParam = (c: SandboxContext) => idParam(c, 'refillId', isRefillId, 'refill', 'ref_');

export function refillRoutes(route: Route, { refills, maxBodyBytes, idempotencyKey, idempotent }: RouteServices): void {
  route('POST', '/refills', async (c) => {
    const key = idempotencyKey(c);
    const request = validateCreateRefill(await readJsonObject(c.req.raw, maxBodyBytes));
    refills.screen(request);
    return send(c, await idempotent(c, key, request, async (requestId) => {
      const { refill } = await refills.create(c.get('tenant'), request);
      return { status: 201, body: JSON.stringify(refill), headers: {}, requestId };
    }));
  });

  route('GET', '/refills/:refillId', async (c) => json(c, (await refills.get(c.get('tenant'), refillIdParam(c))).refill));
}

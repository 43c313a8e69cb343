import type { CreateRefillRequest } from '../../api-types.ts';
import { bodyValidator } from '../../validation.ts';
import { ok, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';
import { idempotentCreate } from './create.ts';

const validateCreateRefill = bodyValidator<CreateRefillRequest>('CreateRefillRequest');

export function refillHandlers(services: Services) {
  const { refills } = services;
  return {
    createRefill: idempotentCreate(services, 'refill', validateCreateRefill, (request) => refills.screen(request), async (tenant, request) => {
      const { refill } = await refills.create(tenant, request);
      return { body: JSON.stringify(refill), headers: {} };
    }),
    getRefill: async (c, { refillId }) => ok<'getRefill'>(c, (await refills.get(c.get('tenant'), refillId)).refill),
  } satisfies Partial<Handlers>;
}

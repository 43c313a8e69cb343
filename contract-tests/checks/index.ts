import type { Check } from '../kit/check.ts';
import * as auth from './auth.ts';
import * as cancellation from './cancellation.ts';
import * as errors from './errors.ts';
import * as idempotency from './idempotency.ts';
import * as lifecycle from './lifecycle.ts';
import * as orders from './orders.ts';
import * as rateLimits from './rate-limits.ts';
import * as refills from './refills.ts';
import * as sandbox from './sandbox.ts';
import * as tenancy from './tenancy.ts';
import * as testData from './test-data.ts';
import * as validation from './validation.ts';
import * as webhookDeliveries from './webhook-deliveries.ts';
import * as webhooks from './webhooks.ts';

/**
 * Every check of the kit, in the order `npm run contract` runs them. A new area is a new module here.
 */
const checkModules = { auth, orders, errors, validation, idempotency, testData, tenancy, cancellation, lifecycle, refills, webhooks, webhookDeliveries, rateLimits, sandbox };

export const allChecks: readonly Check[] = Object.values(checkModules).flatMap((module) => Object.values(module) as Check[]);

const names = allChecks.map((check) => check.checkName);
const duplicated = names.filter((name, index) => names.indexOf(name) !== index);
if (duplicated.length > 0) throw new Error(`contract checks share names: ${duplicated.join(', ')}`);

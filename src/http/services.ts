import { isoTime, LATEST_TIME, type Clock, type TenantClocks } from '../clock.ts';
import { Refusal } from '../domain/refusal.ts';
import type { Coverage } from '../coverage/coverage.ts';
import type { OrderService } from '../domain/orders.ts';
import type { RefillService } from '../domain/refills.ts';
import type { RequestJournal } from '../log/journal.ts';
import type { Store, StoredAnswer } from '../store/store.ts';
import type { Tenancy } from '../tenancy/tenancy.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import { requestHeader } from './env.ts';
import { parseIdempotencyKey, requestFingerprint, runIdempotent, type IdempotentResult } from './idempotency.ts';
import type { SandboxContext } from './respond.ts';

/** What operation handlers work with: the services of one sandbox, and its request plumbing. */
export interface Services {
  orders: OrderService;
  refills: RefillService;
  webhooks: WebhookService;
  clocks: TenantClocks;
  tenancy: Tenancy;
  /** Each key's last requests. */
  journal: RequestJournal;
  /** What each key's traffic has met of the contract. */
  coverage: Coverage;
  maxBodyBytes: number;
  /** Real time, and when the sandbox started on it: the health check's uptime. */
  realClock: Clock;
  startedAt: number;
  /** The request's Idempotency-Key, checked; read before the body so a bad key is refused first. */
  idempotencyKey(c: SandboxContext): string | undefined;
  /** Runs `work` at most once per key and request, answering replays from the store. */
  idempotent(c: SandboxContext, key: string | undefined, body: unknown, creates: string, work: (requestId: string) => Promise<StoredAnswer>): Promise<IdempotentResult>;
  /** Moves the tenant's clock on, then applies every change and sends every webhook falling due. */
  advanceClock(tenant: string, ms: number): Promise<void>;
}

export interface ServiceDeps extends Pick<Services, 'orders' | 'refills' | 'webhooks' | 'clocks' | 'tenancy' | 'journal' | 'coverage' | 'maxBodyBytes' | 'realClock' | 'startedAt'> {
  store: Store;
  requireIdempotencyKey: boolean;
  /** Idempotency keys one API key keeps at most. */
  maxIdempotencyKeys: number;
}

export function createServices(deps: ServiceDeps): Services {
  const { store, clocks, orders, refills, webhooks } = deps;
  return {
    ...deps,
    idempotencyKey: (c) => parseIdempotencyKey(requestHeader(c, 'idempotency-key'), deps.requireIdempotencyKey),
    idempotent: (c, key, body, creates, work) => {
      const tenant = c.get('tenant');
      const requestId = c.get('requestId');
      return runIdempotent({
        store, tenant, requestId, key, creates,
        fingerprint: key === undefined ? '' : requestFingerprint(c.req.method, c.req.path, body),
        now: clocks.for(tenant).now(),
        keep: deps.maxIdempotencyKeys,
      }, () => work(requestId));
    },
    advanceClock: async (tenant, ms) => {
      const room = LATEST_TIME - clocks.for(tenant).now();
      if (ms > room) {
        throw new Refusal('validation_error', `The clock cannot move past ${isoTime(LATEST_TIME)}`, {
          field: 'seconds', reason: `Must be at most ${Math.max(0, Math.floor(room / 1000))} for this API key's clock`,
        });
      }
      clocks.for(tenant).setAdvanced(await store.advanceClock(tenant, ms));
      await orders.engine.sweep(tenant);
      await refills.engine.sweep(tenant);
      await webhooks.drain(tenant);
    },
  };
}

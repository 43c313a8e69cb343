import type { Context } from 'hono';
import type { FaultKind } from '../api-types.ts';
import { Refusal } from '../domain/refusal.ts';
import { faultSpec } from '../spec-extensions.ts';
import { HttpRefusal } from './errors.ts';
import type { IdGenerator } from '../ids.ts';
import { requestHeader, type SandboxEnv } from './env.ts';

export type { FaultKind };
export const FAULT_HEADER = faultSpec.header;
const FAULT_HEADER_NAME = FAULT_HEADER.toLowerCase();
/** The spec's `FaultKind`. */
export const FAULT_KINDS = faultSpec.kinds;

const MAX_LATENCY_MS = 30_000;
export const DEFAULT_LATENCY_MS = 2_000;

export interface Fault {
  kind: FaultKind;
  latencyMs: number;
}

export interface FaultSettings {
  /** Share of API requests (0 to 1) that get a fault chosen from `kinds`, with no header asking. */
  rate: number;
  kinds: readonly FaultKind[];
  latencyMs: number;
  delay(ms: number): Promise<void>;
  /** Each tenant's draws for `rate`. */
  randomFor(tenant: string): IdGenerator;
}

/**
 * Thrown (not as an Error, so Hono's error handler lets it through) when a fault drops the
 * connection of an in-process request; `Sandbox.fetch` turns it into the TypeError fetch gives.
 */
export class ConnectionDropped {
  constructor(readonly afterWork: boolean) {}
}

/** `500`, `503`, `429`, `drop`, `lost-response`, `latency` or `latency=MS`. */
export function parseFault(header: string, defaultLatencyMs: number): Fault {
  const [kind, value] = header.trim().split('=', 2) as [string, string | undefined];
  if (kind === 'latency') {
    const latencyMs = value === undefined ? defaultLatencyMs : Number(value);
    if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
      throw new HttpRefusal('invalid_request', `The ${FAULT_HEADER} header's latency must be whole milliseconds from 0 to ${MAX_LATENCY_MS}`, {
        field: FAULT_HEADER, reason: 'Bad latency',
      });
    }
    return { kind, latencyMs };
  }
  if (value !== undefined || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new HttpRefusal('invalid_request', `The ${FAULT_HEADER} header must be one of ${FAULT_KINDS.join(', ')} (or latency=MS)`, {
      field: FAULT_HEADER, reason: 'Unknown fault',
    });
  }
  return { kind: kind as FaultKind, latencyMs: defaultLatencyMs };
}

function drop(c: Context<SandboxEnv>, afterWork: boolean): Response {
  const socket = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket;
  if (socket === undefined) throw new ConnectionDropped(afterWork);
  socket.destroy();
  return c.body(null, 500);
}

type Answer = Response | Promise<Response>;

/**
 * Fault injection for the published API: by request header, or server-wide at `rate`. Wraps the
 * rest of the request's work, and stays synchronous when no fault applies.
 */
export function faultInjection(settings: FaultSettings) {
  const chooseFault = (c: Context<SandboxEnv>): Fault | undefined => {
    const header = requestHeader(c, FAULT_HEADER_NAME);
    if (header !== undefined) return parseFault(header, settings.latencyMs);
    if (settings.rate > 0 && settings.kinds.length > 0) {
      const random = settings.randomFor(c.get('tenant'));
      if (random.int(1_000_000) < settings.rate * 1_000_000) return { kind: settings.kinds[random.int(settings.kinds.length)]!, latencyMs: settings.latencyMs };
    }
    return undefined;
  };
  return (c: Context<SandboxEnv>, work: () => Answer): Answer => {
    const fault = chooseFault(c);
    if (fault !== undefined) c.set('fault', fault.kind);
    switch (fault?.kind) {
      case undefined:
        return work();
      case 'latency':
        return settings.delay(fault.latencyMs).then(work);
      case '429':
        throw new Refusal('rate_limit_exceeded', 'Too many requests; retry after 1 second (injected fault)', { retryAfter: 1 }, 1);
      case '500':
        throw new HttpRefusal('internal_error', 'An unexpected error occurred (injected fault); retrying with the same Idempotency-Key is safe');
      case '503':
        throw new Refusal('service_unavailable', 'The service is briefly unavailable (injected fault); retry shortly', undefined, 1);
      case 'drop':
        return drop(c, false);
      case 'lost-response': {
        // The answer is lost whatever it was, an error included.
        const lose = () => drop(c, true);
        return Promise.resolve().then(work).then(lose, lose);
      }
    }
  };
}

export type FaultInjection = ReturnType<typeof faultInjection>;

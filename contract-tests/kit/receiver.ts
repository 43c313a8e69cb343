import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver took in, exactly as it arrived. */
export interface Delivery {
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The raw body: signatures are computed over these exact bytes. */
  body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
  /** The status the receiver answered with. */
  answered: number;
}

export interface ReceiverLimits {
  /** A body over this is answered 413 and not kept. */
  maxBodyBytes: number;
  /** Deliveries kept; past this, each is answered 503 and not kept. */
  maxDeliveries: number;
}

/** Events are small (a few hundred bytes); a check needs a handful of them. */
export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = { maxBodyBytes: 64 * 1024, maxDeliveries: 500 };

/** Chooses the status for a delivery before it is kept; 200 unless told otherwise. */
export type Responder = (delivery: Omit<Delivery, 'answered'>) => number;

export interface Receiver {
  /** Where the target should post, such as `http://127.0.0.1:52731/nimbus-contract/3f…`. */
  readonly url: string;
  /** Deliveries kept, in the order they arrived. */
  readonly deliveries: readonly Delivery[];
  respondWith(responder: Responder): void;
  /** The first delivery kept (or arriving within `timeoutMs`) that `matches`; undefined when none comes. */
  waitFor(matches: (delivery: Delivery) => boolean, timeoutMs: number): Promise<Delivery | undefined>;
  close(): Promise<void>;
}

/** The receiver cannot listen where it was told (an address this machine does not have): a setting to fix, not a departure of the target. */
export class ReceiverUnavailable extends Error {
  override name = 'ReceiverUnavailable';

  constructor(readonly host: string, cause: Error) {
    super(`the kit's webhook receiver cannot listen on ${host} (${cause.message}): give --receiver-host an address of this machine that the target can reach`, { cause });
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value ?? '']));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A webhook receiver on `host` (a port the system picks), for the kit's webhook checks. It keeps
 * what arrives at its own random path, within `limits`, and answers whatever the check chooses.
 */
export async function startReceiver(host = '127.0.0.1', limits: ReceiverLimits = DEFAULT_RECEIVER_LIMITS): Promise<Receiver> {
  const path = `/nimbus-contract/${randomBytes(8).toString('hex')}`;
  const deliveries: Delivery[] = [];
  const waiters = new Set<(closing: boolean) => void>();
  let responder: Responder = () => 200;

  const answer = (response: ServerResponse, status: number) => {
    response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(status < 300 ? 'ok' : 'no');
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== path) {
      request.resume();
      return answer(response, 404);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limits.maxBodyBytes) chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      if (bytes > limits.maxBodyBytes) return answer(response, 413);
      if (deliveries.length >= limits.maxDeliveries) return answer(response, 503);
      const body = Buffer.concat(chunks).toString('utf8');
      const received = { headers: flatHeaders(request), body, json: parseJson(body) };
      let status: number;
      try {
        status = responder(received);
      } catch {
        status = 500;
      }
      deliveries.push({ ...received, answered: status });
      answer(response, status);
      for (const wake of [...waiters]) wake(false);
    });
  });
  server.listen(0, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new ReceiverUnavailable(host, error as Error);
  }
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl(host)}:${port}${path}`,
    deliveries,
    respondWith(next) {
      responder = next;
    },
    waitFor(matches, timeoutMs) {
      const found = deliveries.find(matches);
      if (found !== undefined || closed !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => {
        const done = (delivery: Delivery | undefined) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(delivery);
        };
        const check = (closing: boolean) => {
          const arrived = deliveries.find(matches);
          if (arrived !== undefined || closing) done(arrived);
        };
        const timer = setTimeout(() => done(undefined), timeoutMs);
        waiters.add(check);
      });
    },
    close() {
      for (const wake of [...waiters]) wake(true);
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * The CLI's node HTTP server: its timeouts and connection cap, and its graceful close. These are
 * settings of a listening server, so they are command-line settings only; `createSandbox` has no
 * server and takes none of them.
 */
import type { Server, ServerOptions } from 'node:http';
import { answerClientErrors } from './client-errors.ts';

export interface ServerSettings {
  /** Real ms a client has to send a request's headers. */
  headersTimeoutMs: number;
  /** Real ms a client has to send a whole request, body included; not the time taken to answer it. */
  requestTimeoutMs: number;
  /** Real ms an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Most connections open at once; past it a new one is closed at once. */
  maxConnections: number;
  /** Real ms requests in flight have to finish on SIGTERM or SIGINT before their connections are closed. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  shutdownTimeoutMs: 10_000,
};

/** How often (ms) Node looks for connections past their headers or request timeout (its default is 30 s). */
export const CONNECTIONS_CHECK_MS = 1000;

/** The options the server is created with: the timeouts Node checks must be set before it starts checking. */
export function serverOptions(settings: ServerSettings): ServerOptions {
  return {
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, settings.headersTimeoutMs),
  };
}

/** Applies `settings` to a created server and answers its client errors in the envelope. */
export function configureServer(server: Server, settings: ServerSettings): void {
  server.headersTimeout = settings.headersTimeoutMs;
  server.requestTimeout = settings.requestTimeoutMs;
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  server.maxConnections = settings.maxConnections;
  answerClientErrors(server);
}

/**
 * Stops accepting connections, closes idle keep-alive ones at once and lets requests in flight
 * finish, closing each connection as it falls idle. Past `timeoutMs` the rest are closed.
 * Resolves true if every request finished in time.
 */
export function closeGracefully(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let finished = true;
    // A keep-alive connection whose request ends after close() stays open; close it once idle.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      finished = false;
      server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(deadline);
      resolve(finished);
    });
    server.closeIdleConnections();
  });
}

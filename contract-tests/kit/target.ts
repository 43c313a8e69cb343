/** What the kit runs against: any implementation of the Nimbus OS API, reached through `fetch`. */
export type FetchFn = (request: Request) => Promise<Response>;

export interface Target {
  /** Where the API lives, such as `http://127.0.0.1:4010` (no trailing slash needed). */
  baseUrl: string;
  /** The API key to use. Optional when the target accepts any key (the sandbox default). */
  apiKey?: string;
  /** How requests reach the target: the global fetch, or an in-process server's fetch. */
  fetch: FetchFn;
  /** Longest `Retry-After` the kit waits out on an unexpected 429, in ms. Default 65 000. */
  maxRetryWaitMs?: number;
  /**
   * How long lifecycle checks poll `GET /orders/{orderId}` for an order to move along on its own,
   * where the target offers no sandbox helper to move it, in ms. 0 or unset: those checks skip.
   */
  lifecycleTimeoutMs?: number;
  /** The fast-check seed of property checks; unset, each run draws its own (and prints it on failure). */
  seed?: number;
  /** The address the kit's webhook receiver listens on, which the target must reach. Default 127.0.0.1. */
  receiverHost?: string;
  /** How long webhook checks wait for a delivery the target should make at once, in ms. Default 5 000. */
  webhookWaitMs?: number;
  /** How long one request may take, answer body and all, before the target counts as not answering, in ms. Default 30 000. */
  requestTimeoutMs?: number;
}

export const DEFAULT_MAX_RETRY_WAIT_MS = 65_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** A target reached over the network with the global fetch. */
export function networkTarget(baseUrl: string, apiKey?: string, lifecycleTimeoutMs = 0): Target {
  return { baseUrl: baseUrl.replace(/\/+$/, ''), ...(apiKey === undefined ? {} : { apiKey }), fetch: (request) => fetch(request), lifecycleTimeoutMs };
}

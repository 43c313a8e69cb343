/**
 * A transcript: what `nimbus-sandbox record` saw pass between a client and an upstream Nimbus
 * sandbox, one JSON object a line (JSON Lines), which `nimbus-sandbox replay` sends again to
 * another target and compares. The first line is the header; every other line one exchange, in
 * the order the answers came back.
 *
 * No secret is ever written in clear: each API key becomes an alias (`key#1`, `key#2`, … in the
 * order keys first appear), each webhook secret `whsec_` one (`secret#1`, …), and
 * `Authorization`, cookies and other headers the spec does not publish are left out.
 */

export const TRANSCRIPT_VERSION = 1;

export interface TranscriptHeader {
  kind: 'transcript';
  version: typeof TRANSCRIPT_VERSION;
  /** When recording started (real time, RFC 3339). */
  recordedAt: string;
  /** The upstream's origin and base path, without credentials or query, such as `https://api-sandbox.nimbus-os.com`. */
  upstream: string;
  /** The tool and version that wrote it, such as `nimbus-sandbox 0.1.0`. */
  recorder: string;
}

export interface RecordedRequest {
  method: string;
  /** The API path relative to the upstream's base, without the query, such as `/orders/ord_1`. */
  path: string;
  /** The raw query string without `?`; empty when there was none. */
  query: string;
  /**
   * The headers the spec publishes for requests (`Idempotency-Key`, `Nimbus-Sandbox-Fault`, …)
   * plus `Content-Type` and `Accept`, names in lower case. `X-API-Key` is never among them: see
   * `RecordedExchange.key`.
   */
  headers: Record<string, string>;
  /** The body as sent (secrets replaced by their aliases); absent when there was none. */
  body?: string;
}

export interface RecordedResponse {
  status: number;
  /** The headers the spec publishes for answers, plus `Content-Type`, `Location` and `Allow`, names in lower case. */
  headers: Record<string, string>;
  /** The body as answered (secrets replaced by their aliases); absent when empty. */
  body?: string;
  /**
   * Present when the body was longer than the recorder keeps (1 MiB): `body` is its start only,
   * so it cannot be compared, and its conformance was judged on status and headers alone.
   */
  truncated?: true;
}

export interface RecordedExchange {
  kind: 'exchange';
  /** 1 for the first exchange of the transcript. */
  position: number;
  /** The API key sent, as its alias (`key#1`); null when none was sent. */
  key: string | null;
  /** When the request arrived at the recorder (real time, RFC 3339 with milliseconds). */
  startedAt: string;
  /** Real milliseconds from the request's arrival to the end of the upstream's answer. */
  durationMs: number;
  request: RecordedRequest;
  /** Absent when the upstream gave no answer (connection refused, reset, timed out); see `failure`. */
  response?: RecordedResponse;
  /** Why there is no answer. */
  failure?: string;
  /** How the upstream's answer departs from spec/openapi.yaml (the kit's conformance rules); empty when it keeps it. */
  departures: string[];
}

export type TranscriptLine = TranscriptHeader | RecordedExchange;

import { reproduction, type CurlRequest } from './curl.ts';
import { printable } from './printable.ts';

/** One request the kit sent and the answer it got, kept so a failure can show how to reproduce it. */
export interface Exchange {
  request: {
    method: string;
    /** The API path with its query, relative to the target's base URL, such as `/orders/ord_1`. */
    path: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    /** Its X-API-Key is the key the run was given (shown as `$NIMBUS_API_KEY`, never in clear). */
    sendsConfiguredKey: boolean;
  };
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

const BODY_EXCERPT = 600;

export function describeAnswer(exchange: Exchange): string {
  const body = exchange.text.length > BODY_EXCERPT ? `${exchange.text.slice(0, BODY_EXCERPT)}… (${exchange.text.length} chars)` : exchange.text;
  const headers = ['content-type', 'location', 'x-request-id', 'idempotent-replayed', 'original-request-id', 'retry-after', 'x-ratelimit-remaining']
    .filter((name) => exchange.headers.has(name))
    .map((name) => `${name}: ${exchange.headers.get(name)}`);
  return printable(`HTTP ${exchange.status}${headers.length > 0 ? ` (${headers.join(', ')})` : ''} ${body}`);
}

/** The `Reproduce:` block of a failure: the key variables its curl lines use, then each request with what came back (when it did). */
export function reproduce(requests: ReadonlyArray<{ request: CurlRequest; answer?: string }>): string {
  const { definitions, curl } = reproduction(requests.map(({ request }) => request));
  const steps = requests.map(({ answer }, index) => {
    const number = requests.length > 1 ? `${index + 1}. ` : '';
    return `  ${number}${curl[index]}${answer === undefined ? '' : `\n  ${' '.repeat(number.length)}→ ${answer}`}`;
  });
  return ['Reproduce:', ...definitions.map((line) => `  ${line}`), ...steps].join('\n');
}

/** A response that departs from the contract. The message carries the curl lines that reproduce it. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';

  constructor(readonly rule: string, readonly exchanges: readonly Exchange[] = []) {
    super(formatViolation(rule, exchanges));
  }
}

function formatViolation(rule: string, exchanges: readonly Exchange[]): string {
  if (exchanges.length === 0) return rule;
  return `${rule}\n${reproduce(exchanges.map((exchange) => ({ request: exchange.request, answer: describeAnswer(exchange) })))}`;
}

/** The target lacks what a check needs; the check is skipped with this reason, never passed. */
export class CheckSkipped extends Error {
  override name = 'CheckSkipped';

  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The target could not be reached at all (refused connection, unknown host, TLS failure): there is no answer to judge. */
export class TargetUnreachable extends Error {
  override name = 'TargetUnreachable';
}

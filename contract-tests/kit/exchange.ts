/** One request the kit sent and the answer it got, kept so a failure can show how to reproduce it. */
export interface Exchange {
  request: {
    method: string;
    /** The API path with its query, relative to the target's base URL, such as `/orders/ord_1`. */
    path: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
  };
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
  /** A curl command that sends the same request, with the API key masked. */
  curl: string;
}

const BODY_EXCERPT = 600;

export function describeAnswer(exchange: Exchange): string {
  const body = exchange.text.length > BODY_EXCERPT ? `${exchange.text.slice(0, BODY_EXCERPT)}… (${exchange.text.length} chars)` : exchange.text;
  const headers = ['content-type', 'location', 'x-request-id', 'idempotent-replayed', 'original-request-id', 'retry-after', 'x-ratelimit-remaining']
    .filter((name) => exchange.headers.has(name))
    .map((name) => `${name}: ${exchange.headers.get(name)}`);
  return `HTTP ${exchange.status}${headers.length > 0 ? ` (${headers.join(', ')})` : ''} ${body}`;
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
  const steps = exchanges.map((exchange, index) => {
    const number = exchanges.length > 1 ? `${index + 1}. ` : '';
    return `  ${number}${exchange.curl}\n  ${' '.repeat(number.length)}→ ${describeAnswer(exchange)}`;
  });
  return `${rule}\nReproduce:\n${steps.join('\n')}`;
}

/** The target lacks what a check needs; the check is skipped with this reason, never passed. */
export class CheckSkipped extends Error {
  override name = 'CheckSkipped';

  constructor(readonly reason: string) {
    super(reason);
  }
}

import { defineCheck } from '../kit/check.ts';
import { errorOf, type Client } from '../kit/client.ts';
import { ContractViolation, type Exchange } from '../kit/exchange.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { PUBLISHED_ORDER_ID } from '../kit/test-data.ts';

/** A limit above this is not exhausted by the kit: it would take too long and load a shared target. */
const MOST_REQUESTS_TO_EXHAUST = 1000;

const header = (exchange: Exchange, name: string) => Number(exchange.headers.get(name));

function readPublishedOrder(api: Client): Promise<Exchange> {
  return api.send({ method: 'GET', path: `/orders/${PUBLISHED_ORDER_ID}` }, { waitOutRateLimit: false });
}

/** Reads until the orders limit refuses; returns the 429 and the answer before it. */
async function exhaust(api: Client, skip: (reason: string) => never): Promise<{ refused: Exchange; last: Exchange }> {
  let last = await readPublishedOrder(api);
  expectStatus(last, 200, 'the first request of a fresh API key');
  const limit = header(last, 'X-RateLimit-Limit');
  ensure(Number.isInteger(limit) && limit > 0, `X-RateLimit-Limit ${JSON.stringify(last.headers.get('x-ratelimit-limit'))} is no limit the kit can exhaust`, last);
  if (limit > MOST_REQUESTS_TO_EXHAUST) skip(`X-RateLimit-Limit is ${limit}; the kit exhausts limits of at most ${MOST_REQUESTS_TO_EXHAUST}`);
  for (let sent = 1; sent <= limit; sent++) {
    const answer = await readPublishedOrder(api);
    if (answer.status === 429) return { refused: answer, last };
    expectStatus(answer, 200, `request ${sent + 1} of a window allowing ${limit}`, last);
    last = answer;
  }
  throw new ContractViolation(`${limit + 1} requests in one window were all served, though X-RateLimit-Limit is ${limit}`, [last]);
}

export const remainingCountsDown = defineCheck(
  'rate-limits/remaining-counts-down-and-reset-is-ahead',
  'Answers of /orders endpoints carry X-RateLimit-Limit, -Remaining (dropping with each request) and -Reset (unix seconds, not in the past)',
  async ({ client }) => {
    const api = client();
    const first = await readPublishedOrder(api);
    const second = await readPublishedOrder(api);
    expectEqual(header(second, 'X-RateLimit-Limit'), header(first, 'X-RateLimit-Limit'), 'X-RateLimit-Limit across two requests', first, second);
    const rolledOver = header(second, 'X-RateLimit-Reset') !== header(first, 'X-RateLimit-Reset');
    ensure(rolledOver || header(second, 'X-RateLimit-Remaining') < header(first, 'X-RateLimit-Remaining'),
      'X-RateLimit-Remaining did not drop from one request to the next within one window', first, second);
    ensure(header(second, 'X-RateLimit-Reset') >= Math.floor(Date.now() / 1000) - 1,
      `X-RateLimit-Reset ${second.headers.get('x-ratelimit-reset')} is in the past (now is ${Math.floor(Date.now() / 1000)})`, second);
  },
);

export const exceedingTheLimitIs429 = defineCheck(
  'rate-limits/exceeding-the-limit-is-429-with-retry-after',
  'The request after X-RateLimit-Limit is refused with 429 rate_limit_exceeded, Retry-After equal to details.retryAfter, and X-RateLimit-Remaining 0',
  async ({ isolatedClient, skip }) => {
    const api = isolatedClient('it exhausts its rate limit');
    const { refused, last } = await exhaust(api, skip);
    expectError(refused, 429, 'rate_limit_exceeded', 'the request over the limit', last);
    const retryAfter = refused.headers.get('retry-after');
    ensure(retryAfter !== null && /^\d+$/.test(retryAfter), `Retry-After is ${JSON.stringify(retryAfter)}, not a whole number of seconds`, refused);
    expectEqual(errorOf(refused)?.details?.retryAfter, Number(retryAfter), 'details.retryAfter', refused);
    expectEqual(refused.headers.get('x-ratelimit-remaining'), '0', 'X-RateLimit-Remaining of the 429', refused);
  },
);

export const limitsAreCountedPerKey = defineCheck(
  'rate-limits/limits-are-counted-per-api-key',
  'One API key exhausting its limit leaves another key\'s requests served',
  async ({ isolatedClient, skip }) => {
    const { refused } = await exhaust(isolatedClient('it exhausts its rate limit'), skip);
    const other = await readPublishedOrder(isolatedClient('a second tenant'));
    expectStatus(other, 200, 'another API key reading once the first is rate limited', refused);
  },
);

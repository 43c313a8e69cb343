import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replay, type ReplayOptions, type ReplayResult } from '../../contract-tests/drift/replay.ts';
import type { RecordedExchange } from '../../contract-tests/drift/transcript.ts';
import type { FetchFn } from '../../contract-tests/kit/target.ts';
import { apiKeyOf, errorFrom, intercept, isCreateOrder, isOrderPath, mapAnswers, pathOf, read, withJson, type Breakage } from '../contract-kit/breakage.ts';
import { elementsNamed, parseXml } from '../contract-kit/xml.ts';
import { freshSandbox, fullSuite, IN_PROCESS_BASE_URL, recordScript, type Script } from './scripted-suite.ts';

/*
 * A scripted integration suite recorded against one in-process sandbox, replayed against a fresh
 * one (no difference) and against ones broken in one way each (test code only): each difference
 * at its exchange, exit 1, and exit 0 once the allow list accepts it.
 */

interface Run extends ReplayResult {
  log: string[];
  errors: string[];
}

const temp = mkdtempSync(join(tmpdir(), 'nimbus-replay-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let transcript: string;
let exchanges: RecordedExchange[];
beforeAll(async () => {
  transcript = await recordScript(fullSuite);
  exchanges = transcript.trim().split('\n').slice(1).map((line) => JSON.parse(line) as RecordedExchange);
});

/** The positions of the recorded exchanges `pick` chooses. */
const positions = (pick: (exchange: RecordedExchange) => boolean) => exchanges.filter(pick).map((exchange) => exchange.position);
const bodyOf = (exchange: RecordedExchange) => JSON.parse(exchange.response?.body ?? 'null') as Record<string, any> | null;

async function replayAgainst(breakage: Breakage | undefined, options: Partial<ReplayOptions> = {}, text = transcript): Promise<Run> {
  const sandbox = freshSandbox();
  const fetch: FetchFn = breakage === undefined ? sandbox.fetch : breakage(sandbox.fetch);
  const log: string[] = [];
  const errors: string[] = [];
  try {
    const result = await replay({
      transcriptText: text, target: { baseUrl: IN_PROCESS_BASE_URL, fetch }, output: { log: (line) => log.push(line), error: (line) => errors.push(line) }, ...options,
    });
    return { ...result, log, errors };
  } finally {
    await sandbox.close();
  }
}

const differing = (run: Run) => run.outcomes.filter((outcome) => outcome.status === 'differs').map((outcome) => outcome.position);
const pathsAt = (run: Run, position: number) => run.outcomes.find((outcome) => outcome.position === position)?.differences.map((difference) => difference.path);

describe('replay against a fresh sandbox', () => {
  test('finds no difference: exit 0, every exchange the same', async () => {
    const run = await replayAgainst(undefined);
    expect(run.errors).toEqual([]);
    expect(run.log.at(-1)).toBe(`${exchanges.length} exchanges: ${exchanges.length} same, 0 differ (0 allowed), 0 skipped`);
    expect(run.exitCode).toBe(0);
    expect(run.log.filter((line) => line.startsWith('Keys:'))).toEqual([
      'Keys: key#3 was refused by the upstream at every use (401), so it is sent empty',
      'Keys: each of the 2 key aliases (key#1, key#2) is sent as a fresh key of its own (the target accepts any key)',
    ]);
  });

  test('the transcript covers what the comparison must see through: ids, a cursor, a secret, tracking numbers, errors', () => {
    expect(transcript).not.toMatch(/alice-key|bob-key|whsec_/);
    expect(exchanges.every((exchange) => exchange.key === null || /^key#\d+$/.test(exchange.key))).toBe(true);
    const statuses = new Set(exchanges.map((exchange) => exchange.response!.status));
    expect([...statuses].sort()).toEqual([200, 201, 401, 404, 409, 422]);
    expect(exchanges.some((exchange) => exchange.request.query.includes('cursor='))).toBe(true);
    expect(exchanges.some((exchange) => bodyOf(exchange)?.secret === 'secret#1')).toBe(true);
    expect(exchanges.some((exchange) => typeof bodyOf(exchange)?.trackingNumber === 'string')).toBe(true);
  });
});

const createAnswers200: Breakage = mapAnswers((answer, request) => (isCreateOrder(request) && answer.status === 201 ? { ...answer, status: 200 } : undefined));
const dropsTrackingNumbers: Breakage = mapAnswers((answer, request) => (request.method === 'GET' && isOrderPath(request)
  ? withJson(answer, (order) => { if (order.status === 'shipped') order.trackingNumber = null; }) : undefined));
const wrongValidationCode: Breakage = mapAnswers((answer) => (answer.status === 422 ? withJson(answer, (body) => { body.error.code = 'invalid_request'; }) : undefined));
const pendingReadAsProcessing: Breakage = mapAnswers((answer, request) => (request.method === 'GET' && isOrderPath(request)
  ? withJson(answer, (order) => { if (order.status === 'pending') order.status = 'processing'; }) : undefined));

describe('replay against broken targets', () => {
  test('a create answering 200 instead of 201: every create differs in its status, exit 1; allowed, exit 0', async () => {
    const creates = positions((exchange) => exchange.request.method === 'POST' && exchange.request.path === '/orders' && exchange.response!.status === 201);
    const run = await replayAgainst(createAnswers200);
    expect(run.exitCode).toBe(1);
    expect(differing(run)).toEqual(creates);
    for (const position of creates) expect(pathsAt(run, position)).toEqual(['status']);
    const block = run.log.find((line) => line.startsWith(`DIFF  #${creates[0]} POST /orders (createOrder)`))!;
    expect(block).toContain('status: expected 201, got 200');
    expect(block).toMatch(/curl -sS -i -g -X POST 'http:\/\/sandbox\.test\/orders' -H "X-API-Key: \$KEY_1"/);
    expect(run.log.at(-1)).toBe(`${exchanges.length} exchanges: ${exchanges.length - creates.length} same, ${creates.length} differ (0 allowed), 0 skipped`);

    const allowed = await replayAgainst(createAnswers200, { allowText: '{"operation": "createOrder", "path": "status", "reason": "Nimbus answers creates with 200 since March (NIM-1)"}\n' });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.log.at(-1)).toBe(`${exchanges.length} exchanges: ${exchanges.length - creates.length} same, ${creates.length} differ (${creates.length} allowed), 0 skipped`);
    expect(allowed.log.find((line) => line.startsWith(`ALLOW #${creates[0]} `))).toContain('[allowed, line 1: Nimbus answers creates with 200 since March (NIM-1)]');
  });

  test('an order missing its tracking number once shipped: the read after shipping differs, exit 1; allowed at that position, exit 0', async () => {
    const shippedReads = positions((exchange) => exchange.request.method === 'GET' && bodyOf(exchange)?.status === 'shipped');
    expect(shippedReads.length).toBeGreaterThan(0);
    const run = await replayAgainst(dropsTrackingNumbers);
    expect(run.exitCode).toBe(1);
    expect(differing(run)).toEqual(shippedReads);
    expect(pathsAt(run, shippedReads[0]!)).toEqual(['body.trackingNumber']);
    expect(run.log.find((line) => line.startsWith(`DIFF  #${shippedReads[0]} GET /orders/`))).toMatch(/body\.trackingNumber: expected "[0-9A-Z]+", got null/);

    const allow = shippedReads.map((position) => JSON.stringify({ operation: 'getOrder', path: 'body.trackingNumber', position, reason: 'known: NIM-7' })).join('\n');
    expect((await replayAgainst(dropsTrackingNumbers, { allowText: allow })).exitCode).toBe(0);
  });

  test('a wrong error code: the refused create differs at body.error.code, exit 1; allowed, exit 0', async () => {
    const [refused] = positions((exchange) => exchange.response!.status === 422);
    const run = await replayAgainst(wrongValidationCode);
    expect(run.exitCode).toBe(1);
    expect(differing(run)).toEqual([refused]);
    expect(run.outcomes[refused! - 1]!.differences).toEqual([{ path: 'body.error.code', expected: '"validation_error"', got: '"invalid_request"' }]);
    expect((await replayAgainst(wrongValidationCode, { allowText: '{"operation":"createOrder","path":"body.error.*","reason":"r"}' })).exitCode).toBe(0);
  });

  test('a changed field value: each read of a pending order differs at body.status, exit 1; allowed, exit 0', async () => {
    const pendingReads = positions((exchange) => exchange.request.method === 'GET' && exchange.request.path.startsWith('/orders/') && bodyOf(exchange)?.status === 'pending');
    const run = await replayAgainst(pendingReadAsProcessing);
    expect(run.exitCode).toBe(1);
    expect(differing(run)).toEqual(pendingReads);
    expect(run.outcomes[pendingReads[0]! - 1]!.differences).toEqual([{ path: 'body.status', expected: '"pending"', got: '"processing"' }]);
    expect((await replayAgainst(pendingReadAsProcessing, { allowText: '{"operation":"getOrder","path":"body.status","reason":"r"}' })).exitCode).toBe(0);
  });

  test('ids that map inconsistently: the target giving two created orders one id is a difference', async () => {
    let first: string | undefined;
    const oneId: Breakage = mapAnswers((answer, request) => {
      if (!isCreateOrder(request) || answer.status !== 201) return undefined;
      return withJson(answer, (order) => { first ??= order.id; order.id = first; });
    });
    const run = await replayAgainst(oneId);
    const secondCreate = positions((exchange) => isCreate(exchange) && exchange.response!.status === 201 && exchange.response!.headers['idempotent-replayed'] === undefined)[1]!;
    const difference = run.outcomes[secondCreate - 1]!.differences.find((found) => found.path === 'body.id');
    // Its Location already named the target's own new id, which the body contradicts.
    expect(difference?.expected).toMatch(/^"ord_\w+" \(the target's value for the recorded ord_\w+ so far\)$/);
  });
});

const isCreate = (exchange: RecordedExchange) => exchange.request.method === 'POST' && exchange.request.path === '/orders';

describe('sandbox helpers and keys', () => {
  const noSandboxHelpers: Breakage = (inner) => async (request) => {
    if (!pathOf(request).startsWith('/sandbox/')) return inner(request);
    const genuine = await read(await inner(new Request(`${IN_PROCESS_BASE_URL}/orders/ord_1234567890`, { headers: request.headers })));
    const answer = errorFrom(genuine, 404, 'not_found', 'No such route');
    return new Response(answer.text, { status: 404, headers: answer.headers });
  };

  test('a target without them: each helper exchange is skipped with the reason, and what follows from the skips is still reported', async () => {
    const helpers = positions((exchange) => exchange.request.path.startsWith('/sandbox/'));
    const run = await replayAgainst(noSandboxHelpers);
    expect(run.outcomes.filter((outcome) => outcome.status === 'skipped').map((outcome) => outcome.position)).toEqual(helpers);
    const advance = exchanges.find((exchange) => exchange.request.path.endsWith('/advance'))!;
    expect(run.log).toContain(`skip  #${advance.position} POST ${advance.request.path} (sandboxAdvanceOrder): the target does not offer POST /sandbox/orders/{orderId}/advance `
      + '(POST /sandbox/orders/{orderId}/advance of a new order answered 404)');
    expect(run.log.filter((line) => line.startsWith('skip ')).every((line) => / \(sandbox\w+\): the target does not offer .+ answered 404\)$/.test(line))).toBe(true);
    // The order was never shipped there: the reads after the skipped advance differ, honestly.
    const readAfterShipping = positions((exchange) => exchange.request.method === 'GET' && bodyOf(exchange)?.status === 'shipped')[0]!;
    expect(pathsAt(run, readAfterShipping)).toContain('body.status');
    expect(run.exitCode).toBe(1);
    expect(run.log.at(-1)).toMatch(new RegExp(`, ${helpers.length} skipped$`));
  });

  const onlyOneKey: Breakage = intercept(async (request, inner) => {
    const key = apiKeyOf(request);
    if (key === '' || key === 'the-key') return undefined;
    return errorFrom(await read(await inner(new Request(request.url, { method: 'GET' }))), 401, 'unauthorized', 'Invalid API key');
  });
  const oneKeySuite: Script = async (as) => {
    const alice = as('alice-key');
    const orderId = ((await alice.createOrder({ patientId: 'pat_test_001', prescriptionId: 'rx_test_001', shippingAddress: { street1: '1 Elm St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' } }, 'same-key-each-run')).json as { id: string }).id;
    await alice.createOrder({ patientId: 'pat_test_001', prescriptionId: 'rx_test_001', shippingAddress: { street1: '1 Elm St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' } }, 'same-key-each-run');
    await alice.advanceOrder(orderId, 'shipped');
    await alice.getOrder(orderId);
    await as('other-key').getOrder('ord_1234567890');
    await as(undefined).getOrder(orderId);
  };

  test('a target refusing random keys: every alias is sent as --api-key (said once), idempotency keys made fresh so runs do not collide', async () => {
    const text = await recordScript(oneKeySuite);
    const sandbox = freshSandbox();
    const fetch = onlyOneKey(sandbox.fetch);
    try {
      for (const attempt of [1, 2]) {
        const log: string[] = [];
        const result = await replay({ transcriptText: text, target: { baseUrl: IN_PROCESS_BASE_URL, fetch }, apiKey: 'the-key', output: { log: (line) => log.push(line), error: (line) => log.push(line) } });
        expect(log.filter((line) => line.startsWith('Keys:')), `run ${attempt}`).toEqual([
          expect.stringMatching(/^Keys: the target refuses random API keys \(a random API key got 401 .*\), so every key alias \(key#1, key#2\) is sent as the --api-key key: they share one tenant there$/),
        ]);
        expect(log.join('\n'), `run ${attempt}`).not.toContain('the-key');
        expect(result.exitCode, log.join('\n')).toBe(0);
      }
    } finally {
      await sandbox.close();
    }
  });

  test('a target refusing random keys, no --api-key: exit 2, saying what to pass', async () => {
    const run = await replayAgainst(onlyOneKey, {}, await recordScript(oneKeySuite));
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual([expect.stringMatching(/^the target refuses random API keys \(.*\): pass the key it gives you with --api-key KEY or NIMBUS_API_KEY$/)]);
  });

  test('a rate limit the recording did not meet is waited out (Retry-After) and the request sent again', async () => {
    let limited = 0;
    const limitsFirstRead: Breakage = intercept(async (request, inner) => {
      // The first read of an order the replay created (the probes read only the published one).
      if (request.method !== 'GET' || !isOrderPath(request) || pathOf(request) === '/orders/ord_1234567890' || limited++ > 0) return undefined;
      const genuine = await read(await inner(request.clone()));
      const answer = errorFrom(genuine, 429, 'rate_limit_exceeded', 'Too many requests');
      answer.headers.set('Retry-After', '0');
      return answer;
    });
    const run = await replayAgainst(limitsFirstRead);
    expect(limited).toBeGreaterThan(1);
    expect(run.exitCode).toBe(0);
  });

  test('a target that cannot be reached: exit 2', async () => {
    const run = await replayAgainst(() => async () => { throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }); });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual(['cannot reach the target http://sandbox.test (fetch failed: connect ECONNREFUSED 127.0.0.1:9): is it running, and is --target right?']);
  });
});

describe('the transcript and the allow list', () => {
  test('an exchange recorded without an answer is skipped with a note', async () => {
    const lines = transcript.trim().split('\n');
    const second = JSON.parse(lines[2]!) as RecordedExchange;
    const { response: _, ...unanswered } = second;
    lines[2] = JSON.stringify({ ...unanswered, failure: 'connection reset by the upstream' });
    const run = await replayAgainst(undefined, {}, lines.join('\n'));
    expect(run.log).toContain(`skip  #2 GET ${second.request.path} (getOrder): the upstream gave no answer when it was recorded (connection reset by the upstream)`);
    expect(run.exitCode).toBe(0);
  });

  test.each([
    ['a line that is not JSON', (lines: string[]) => { lines[3] = '{"kind": "exchange",'; }, /^the transcript is invalid at line 4: not JSON/],
    ['a position out of order', (lines: string[]) => { lines[3] = lines[3]!.replace('"position":3', '"position":2'); }, /^the transcript is invalid at line 4: position must be a whole number above 2 \(the one before\), not 2$/],
    ['a header of another version', (lines: string[]) => { lines[0] = lines[0]!.replace('"version":1', '"version":7'); }, /^the transcript is invalid at line 1: the transcript is of version 7; this replay reads version 1$/],
    ['a request without its method', (lines: string[]) => { lines[2] = lines[2]!.replace('"method":"GET",', ''); }, /^the transcript is invalid at line 3: request\.method must be an HTTP method a replay can send \(not CONNECT, TRACE or TRACK\), not absent$/],
  ])('%s: exit 2 with the line and why', async (_, breakTranscript, message) => {
    const lines = transcript.split('\n');
    breakTranscript(lines);
    const run = await replayAgainst(undefined, {}, lines.join('\n'));
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual([expect.stringMatching(message)]);
    expect(run.outcomes).toEqual([]);
  });

  test('an invalid allow list: exit 2 with the line', async () => {
    const run = await replayAgainst(undefined, { allowText: '{"operation":"getOrder","path":"status","reason":"ok"}\n\n{"operation":"getOrder","path":"status"}\n' });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual(['the allow list is invalid at line 3: reason must be a non-empty text: say why the difference is accepted']);
  });

  test('unused allow entries are reported, not failed', async () => {
    const run = await replayAgainst(undefined, { allowText: '{"operation":"getOrder","path":"body.status","position":2,"reason":"old drift"}\n' });
    expect(run.exitCode).toBe(0);
    expect(run.unusedAllowEntries.map((entry) => entry.line)).toEqual([1]);
    expect(run.log).toContain('unused allow entry (line 1): getOrder body.status at #2: no such difference in this replay; remove it once the drift is gone');
  });

  test('--junit: one testcase per exchange, the differing ones failed with their differences', async () => {
    const file = join(temp, 'replay.xml');
    const run = await replayAgainst(wrongValidationCode, { junitFile: file });
    const cases = elementsNamed(parseXml(readFileSync(file, 'utf8')), 'testcase');
    expect(cases).toHaveLength(exchanges.length);
    const failed = cases.filter((element) => element.children.some((child) => child.name === 'failure'));
    expect(failed.map((element) => element.attributes.name)).toEqual([`createOrder/#${differing(run)[0]} POST /orders`]);
    expect(failed[0]!.children[0]!.text).toContain('body.error.code: expected "validation_error", got "invalid_request"');
  });
});

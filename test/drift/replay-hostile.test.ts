import { describe, expect, test } from 'vitest';
import { planKeys } from '../../contract-tests/drift/key-plan.ts';
import { replay, type ReplayResult } from '../../contract-tests/drift/replay.ts';
import type { FetchFn } from '../../contract-tests/kit/target.ts';

/*
 * Targets that answer badly in ways a network gives: a dropped connection, a non-JSON page, a
 * body nested deeper than a call stack, a body without end. Each must end the replay with a
 * difference or a reason (exit 1 or 2), never a stack trace or a heap exhausted.
 */

const BASE_URL = 'http://hostile.test';
const HEADER = { kind: 'transcript', version: 1, recordedAt: '2026-01-01T00:00:00.000Z', upstream: 'https://upstream.test', recorder: 'test' };

function exchange(position: number, request: Record<string, unknown>, response: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'exchange', position, key: 'key#1', startedAt: '2026-01-01T00:00:01.000Z', durationMs: 5,
    request: { method: 'GET', path: '/sandbox/health', query: '', headers: {}, ...request }, response: { status: 200, headers: {}, ...response }, departures: [],
  };
}

const transcriptOf = (...exchanges: Array<Record<string, unknown>>) => [HEADER, ...exchanges].map((line) => JSON.stringify(line)).join('\n');

const json = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'application/json' } });
const notFound = () => json(404, '{"error":{"code":"not_found","message":"No such order","requestId":"req_aaaaaaaaaaaaaaaaaaaaaaaa"}}');

/** Answers the replay's key probe (`GET /orders/…`) like a sandbox, everything else with `answer`. */
const probedThen = (answer: (request: Request) => Promise<Response> | Response): FetchFn => async (request) =>
  (request.method === 'GET' && new URL(request.url).pathname.startsWith('/orders/') ? notFound() : answer(request));

async function replayAgainst(fetch: FetchFn, transcriptText: string, requestTimeoutMs?: number): Promise<ReplayResult & { errors: string[] }> {
  const errors: string[] = [];
  const result = await replay({
    transcriptText, target: { baseUrl: BASE_URL, fetch }, output: { log: () => {}, error: (line) => errors.push(line) },
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
  return { ...result, errors };
}

const healthCheck = transcriptOf(exchange(1, {}, { body: '{"status":"ok"}', headers: { 'content-type': 'application/json' } }));

describe('replay against a hostile target', () => {
  test('a target that drops the connection while its capabilities are probed: exit 2 with why, no stack trace', async () => {
    const run = await replayAgainst(probedThen(() => { throw new TypeError('fetch failed', { cause: new Error('other side closed') }); }), healthCheck);
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual([expect.stringMatching(/^cannot reach the target http:\/\/hostile\.test \(fetch failed: other side closed\)/)]);
  });

  test('a target that answers 200 with an HTML page to every probe: no crash', async () => {
    const run = await replayAgainst(probedThen(() => new Response('<html>hello</html>', { status: 200, headers: { 'content-type': 'text/html' } })), healthCheck);
    expect(run.problem).toBeUndefined();
    expect(run.exitCode).toBe(1);
    expect(run.outcomes[0]!.differences.map((difference) => difference.path)).toContain('body');
  });

  test('a target that answers a probe 429 with a Retry-After it cannot wait out: exit 2 with why', async () => {
    const run = await replayAgainst(probedThen(() => json(429, '{}')), healthCheck);
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual([expect.stringMatching(/^the target's answer to a probe of what it offers cannot be used: Rate limited with Retry-After null/)]);
  });

  test('a target whose answer has no end: the replay stops reading at 16 MiB, exit 2 with why', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const endless = () => new Response(new ReadableStream({
      pull(controller) {
        // Past 64 MiB the test stops it: an unbounded reader would fill the heap.
        if (sent >= 64 * chunk.length) controller.error(new Error('read on past 64 MiB'));
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    }), { status: 200, headers: { 'content-type': 'application/json' } });
    const run = await replayAgainst(probedThen((request) => (new URL(request.url).pathname === '/sandbox/health' ? endless() : notFound())), healthCheck);
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual(['the target http://hostile.test took the connection but gave an answer whose body runs past 16 MiB: is it running and well, and is --target right?']);
    expect(sent).toBeLessThanOrEqual(18 * chunk.length);
  });
});

describe('requests of a transcript that fetch cannot send', () => {
  const sandboxLike = probedThen(() => json(200, '{"status":"ok"}'));

  test.each([
    ['a CONNECT', { method: 'CONNECT' }, /^the transcript is invalid at line 2: request\.method must be an HTTP method a replay can send/],
    ['a header name with a space', { headers: { 'idempotency key': 'a' } }, /^the transcript is invalid at line 2: request\.headers must be an object of header names and values that can be sent/],
    ['a header value with a line break', { headers: { 'idempotency-key': 'a\r\nX-Injected: 1' } }, /^the transcript is invalid at line 2: request\.headers must be/],
    ['a header value past Latin-1', { headers: { 'idempotency-key': 'clé-中' } }, /^the transcript is invalid at line 2: request\.headers must be/],
  ])('%s: the transcript is refused at its line, not the target blamed', async (_, request, message) => {
    const run = await replayAgainst(sandboxLike, transcriptOf(exchange(1, request, { body: '{"status":"ok"}' })));
    expect(run.exitCode).toBe(2);
    expect(run.errors).toEqual([expect.stringMatching(message)]);
  });

  test('a GET recorded with a body is skipped with why; the replay goes on', async () => {
    const run = await replayAgainst(sandboxLike, transcriptOf(
      exchange(1, { body: 'x' }, { body: '{"status":"ok"}' }),
      exchange(2, {}, { body: '{"status":"ok"}', headers: { 'content-type': 'application/json' } }),
    ));
    expect(run.problem).toBeUndefined();
    expect(run.outcomes.map((outcome) => [outcome.status, outcome.reason])).toEqual([['skipped', 'a GET with a body was recorded, which fetch cannot send'], ['same', undefined]]);
    expect(run.exitCode).toBe(0);
  });
});

test('a transcript and an allow list saved with a byte order mark are read as without', async () => {
  const run = await replay({
    transcriptText: `\uFEFF${healthCheck}`, allowText: '\uFEFF{"operation":"sandboxHealth","path":"body.status","reason":"the target says up"}\r\n',
    target: { baseUrl: BASE_URL, fetch: probedThen(() => json(200, '{"status":"up"}')) }, output: { log: () => {}, error: () => {} },
  });
  expect(run.problem).toBeUndefined();
  expect(run.outcomes.map((outcome) => outcome.status)).toEqual(['allowed']);
  expect(run.exitCode).toBe(0);
});

test('a target that answers 429 with Retry-After: 0 to everything: waited out a few times, then taken as the answer, not a loop', async () => {
  let calls = 0;
  const run = await replayAgainst(async (request) => {
    calls++;
    // Past this the old loop would run on for ever: the test ends it.
    if (calls > 500) return json(200, '{"status":"ok"}');
    return new URL(request.url).pathname.startsWith('/orders/') && request.method === 'GET' ? notFound() : new Response('{}', { status: 429, headers: { 'retry-after': '0' } });
  }, healthCheck);
  expect(calls).toBeLessThan(100);
  expect(run.outcomes.map((outcome) => outcome.status)).toEqual(['differs']);
  expect(run.outcomes[0]!.differences[0]).toEqual({ path: 'status', expected: '200', got: '429' });
  expect(run.exitCode).toBe(1);
});

test('a transcript of 60 000 exchanges of one key: the keys are planned at once, not in time growing with its square', async () => {
  const one = exchange(1, {}, { body: '{"status":"ok"}' }) as never;
  const transcript = { header: HEADER as never, exchanges: Array.from({ length: 60_000 }, (_, index) => ({ ...(one as object), position: index + 1 })) as never };
  const started = performance.now();
  const plan = await planKeys({ baseUrl: BASE_URL, fetch: probedThen(() => json(200, '{}')) }, transcript, () => {});
  expect(performance.now() - started).toBeLessThan(5000);
  expect(plan.shared).toBe(false);
});

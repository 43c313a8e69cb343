import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ContractOptionError, runContract, type ContractOptions, type Outcome } from '../../contract-tests/contract.ts';
import { allChecks } from '../../contract-tests/checks/index.ts';
import { ContractViolation, describeAnswer } from '../../contract-tests/kit/exchange.ts';
import { junitXml } from '../../contract-tests/kit/junit.ts';
import { ReceiverUnavailable } from '../../contract-tests/kit/receiver.ts';
import { describeOutcome } from '../../contract-tests/kit/report.ts';
import type { SandboxOptions } from '../../src/sandbox.ts';
import type { Breakage } from './breakage.ts';
import { brokenServers, inProcessTarget, withoutLifecycleHelpers } from './broken-servers.ts';
import { elementsNamed, parseXml } from './xml.ts';

/*
 * runContract, what `nimbus-sandbox contract` runs: its lines, exit codes, stops, --only, the
 * JUnit file and --seed, against the stub in-process (working or broken).
 */

const temp = mkdtempSync(join(tmpdir(), 'nimbus-runner-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const REPLAY_CHECK = 'idempotency/replay-returns-the-first-answer-byte-for-byte';
const VALID_BODIES_CHECK = 'validation/generated-valid-bodies-are-accepted';
const brokenFor = (rule: string) => brokenServers.find((server) => server.rule === rule)!;

interface Run {
  result: Awaited<ReturnType<typeof runContract>>;
  log: string[];
  error: string[];
  requests: number;
}

/** runContract against the in-process stub, broken by `breakage`, collecting its lines and counting its requests. */
async function run(options: Omit<ContractOptions, 'target' | 'baseUrl' | 'output'>, breakage?: Breakage, sandboxOptions?: SandboxOptions): Promise<Run> {
  const target = inProcessTarget(breakage, sandboxOptions);
  const log: string[] = [];
  const error: string[] = [];
  let requests = 0;
  try {
    const result = await runContract({
      ...options,
      target: { ...target, fetch: (request) => { requests++; return target.fetch(request); } },
      output: { log: (line) => log.push(line), error: (line) => error.push(line) },
    });
    return { result, log, error, requests };
  } finally {
    target.close();
  }
}

const checkLines = (log: string[]) => log.filter((line) => /^(pass|FAIL|skip) {2}/.test(line));

describe('a run', () => {
  test('against the working stub: one line per check in order, then the counts; exit code 0', async () => {
    const { result, log, error } = await run({});
    expect(result.exitCode).toBe(0);
    expect(checkLines(log).map((line) => line.slice(6))).toEqual(allChecks.map((check) => check.checkName));
    expect(log.at(-1)).toBe(`${allChecks.length} passed, 0 failed, 0 skipped`);
    expect(error).toEqual([]);
  });

  test('a failed check: its line carries the reason and a reproduction whose keys are shell variables; exit code 1', async () => {
    const { result, log } = await run({ only: 'idempotency/' }, brokenFor('a replay carries a new order id').breakage!());
    expect(result.exitCode).toBe(1);
    const failure = log.find((line) => line.startsWith(`FAIL  ${REPLAY_CHECK}\n`));
    expect(failure).toMatch(/\n {6}Reproduce:\n {8}KEY_1='contract-[\w-]+'\n {8}1\. curl -sS -i -g -X POST '[^']+\/orders' -H "X-API-Key: \$KEY_1"/);
    expect(log.at(-1)).toBe(`${result.passed} passed, ${result.failed} failed, 0 skipped`);
    expect(result.failed).toBeGreaterThan(0);
  });

  test('a skipped check says why, on its line and in its outcome', async () => {
    const { result, log } = await run({ only: 'lifecycle/' }, withoutLifecycleHelpers());
    expect(result.exitCode).toBe(0);
    const skipped = result.outcomes.filter((outcome): outcome is Extract<Outcome, { status: 'skipped' }> => outcome.status === 'skipped');
    expect(skipped.length).toBe(result.outcomes.length);
    for (const outcome of skipped) expect(log).toContain(`skip  ${outcome.checkName}: ${outcome.reason}`);
    expect(skipped[0]!.reason).toMatch(/--lifecycle-timeout MS \(or set NIMBUS_LIFECYCLE_TIMEOUT\)/);
  });
});

test('a failure that is no departure (a defect of the kit, say) shows its stack, to find it by', () => {
  const line = describeOutcome({ checkName: 'area/check', status: 'failed', error: new TypeError('cannot read properties of undefined'), durationMs: 1 }, 'nimbus-sandbox contract');
  expect(line).toMatch(/^FAIL {2}area\/check\n {6}TypeError: cannot read properties of undefined\n {6} {4}at /);
});

describe('a --receiver-host this machine cannot listen on; exit code 2', () => {
  test('said once before any check, without a stack', async () => {
    const { result, log, error, requests } = await run({ receiverHost: '10.255.255.1' });
    expect(result).toMatchObject({ exitCode: 2, outcomes: [] });
    expect(error).toEqual([expect.stringMatching(/^the kit's webhook receiver cannot listen on 10\.255\.255\.1 \(listen EADDRNOTAVAIL[^)]*\): give --receiver-host an address of this machine that the target can reach\. No check was run\.$/)]);
    expect(log).toEqual([]);
    expect(requests).toBe(0);
  });

  test('a check that meets it anyway fails with the message alone', () => {
    const error = new ReceiverUnavailable('10.255.255.1', new Error('listen EADDRNOTAVAIL: address not available 10.255.255.1'));
    expect(describeOutcome({ checkName: 'webhooks/x', status: 'failed', error, durationMs: 1 }, 'nimbus-sandbox contract'))
      .toBe(`FAIL  webhooks/x\n      ${error.message}`);
  });
});

describe('what the target said is printed without its control characters', () => {
  const NASTY = 'a\u001b[2J\u009b31m\rb\u0007\tc\nd';
  const SHOWN = 'a\\x1b[2J\\x9b31m\\x0db\\x07\tc\nd';

  test('an answer in a failure: escapes shown as \\xHH, tab and newline kept', () => {
    const exchange = { request: { method: 'GET', path: '/', url: 'http://h/', headers: {}, sendsConfiguredKey: false }, status: 400, headers: new Headers({ 'x-request-id': 'r\u001b]0;t' }), text: NASTY, json: undefined };
    expect(describeAnswer(exchange)).toBe(`HTTP 400 (x-request-id: r\\x1b]0;t) ${SHOWN}`);
  });

  test('every line of a run, such as the error code a refused key got', async () => {
    const refusing: Breakage = () => async () => Response.json({ error: { code: NASTY, message: 'no' } }, { status: 401 });
    const { error } = await run({ apiKey: 'sk_test_any' }, refusing);
    expect(error).toEqual([expect.stringContaining(`answered 401 ${SHOWN}.`)]);
  });
});

describe('a target that refuses the key stops the run once, saying what to pass; exit code 2', () => {
  const keysOnly: SandboxOptions = { apiKeys: ['sk_test_accepted'] };

  test('a key given and refused: one request, one message, no check run', async () => {
    const { result, log, error, requests } = await run({ apiKey: 'sk_test_wrong' }, undefined, keysOnly);
    expect(result).toMatchObject({ exitCode: 2, outcomes: [], passed: 0, failed: 0, skipped: 0 });
    expect(error).toHaveLength(1);
    expect(error[0]).toMatch(/^the target refuses the API key given \(--api-key or NIMBUS_API_KEY\): GET \/orders\/ord_1234567890 with it answered 401 unauthorized\. Pass a key this target accepts/);
    expect(error[0]).not.toContain('sk_test_wrong');
    expect(result.problem).toBe(error[0]);
    expect(log).toEqual([]);
    expect(requests).toBe(1);
  });

  test('no key given and random keys refused: one message naming --api-key', async () => {
    const { result, error, log } = await run({}, undefined, keysOnly);
    expect(result.exitCode).toBe(2);
    expect(error).toEqual([expect.stringMatching(/^the target refuses random API keys \(a random API key got 401 .*\): pass the key it gives you with --api-key KEY or NIMBUS_API_KEY/)]);
    expect(log).toEqual([]);
  });

  test('the accepted key runs the checks, skipping those that need tenants of their own', async () => {
    const { result } = await run({ apiKey: 'sk_test_accepted', only: 'orders/,tenancy/' }, undefined, keysOnly);
    expect(result.exitCode).toBe(0);
    expect(result.passed).toBeGreaterThan(0);
    expect(result.outcomes.find((outcome) => outcome.checkName.startsWith('tenancy/'))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/tenant of its own/) });
  });
});

describe('a target that cannot be reached; exit code 2', () => {
  test('before the checks: one message naming the URL and the cause', async () => {
    const errors: string[] = [];
    const result = await runContract({
      target: { baseUrl: 'http://nowhere.test', fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })) },
      output: { log: () => {}, error: (line) => errors.push(line) },
    });
    expect(result).toMatchObject({ exitCode: 2, outcomes: [] });
    expect(errors).toEqual(['cannot reach the target http://nowhere.test (fetch failed: connect ECONNREFUSED 127.0.0.1:1): is it running, and is --base-url right? No check was run.']);
  });

  test('a probe that cannot finish (a Retry-After too long to wait out) stops the run the same way', async () => {
    const errors: string[] = [];
    const result = await runContract({
      target: { baseUrl: 'http://busy.test', maxRetryWaitMs: 1000, fetch: async () => new Response('{}', { status: 429, headers: { 'Retry-After': '3600' } }) },
      output: { log: () => {}, error: (line) => errors.push(line) },
    });
    expect(result).toMatchObject({ exitCode: 2, outcomes: [] });
    expect(errors).toEqual([expect.stringMatching(/^probing what the target http:\/\/busy\.test offers failed: Rate limited with Retry-After "3600", which is not a wait of at most 1000 ms the kit can respect/)]);
  });

  test('a target that takes the connection and never answers: one message after the request timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const errors: string[] = [];
      const result = await runContract({ baseUrl, requestTimeoutMs: 200, output: { log: () => {}, error: (line) => errors.push(line) } });
      expect(result).toMatchObject({ exitCode: 2, outcomes: [] });
      expect(errors).toEqual([`the target ${baseUrl} took the connection but gave no answer within 200 ms: is it running and well, and is --base-url right? (--request-timeout MS waits longer.) No check was run.`]);
    } finally {
      silent.close();
    }
  });

  test('an answer that stalls during the run stops it as a target that stopped answering', async () => {
    let calls = 0;
    const stalls: Breakage = (inner) => (request) => (++calls > 60 ? new Promise<Response>(() => {}) : inner(request));
    const { result, error } = await run({ requestTimeoutMs: 100 }, stalls);
    expect(result.exitCode).toBe(2);
    expect(result.outcomes.at(-1)).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^The target could not be reached \(no answer within 100 ms\)/) } });
    expect(error).toEqual([expect.stringMatching(/^the target http:\/\/sandbox\.test stopped answering during \S+; the \d+ checks after it were not run$/)]);
  });

  test('during the run: the checks after it are not run', async () => {
    let calls = 0;
    const down: Breakage = (inner) => (request) => (++calls > 60 ? Promise.reject(new TypeError('fetch failed')) : inner(request));
    const { result, error } = await run({}, down);
    expect(result.exitCode).toBe(2);
    expect(result.outcomes.at(-1)!.status).toBe('failed');
    expect(result.outcomes.length).toBeLessThan(allChecks.length);
    expect(error).toEqual([expect.stringMatching(/^the target http:\/\/sandbox\.test stopped answering during \S+; the \d+ checks after it were not run$/)]);
  });
});

describe('--only', () => {
  test('runs the checks whose name contains a pattern, * matching anything, commas separating patterns', async () => {
    const { result } = await run({ only: 'idempotency/replay*byte,tenancy/' });
    expect(result.outcomes.map((outcome) => outcome.checkName)).toEqual([REPLAY_CHECK, 'tenancy/orders-are-invisible-to-other-api-keys']);
  });

  test('a pattern that picks no check is a usage error naming the areas', async () => {
    await expect(run({ only: 'no-such-check' })).rejects.toThrow(new ContractOptionError(
      `no check matches --only "no-such-check"; the checks' names start with ${[...new Set(allChecks.map((check) => `${check.checkName.split('/')[0]}/`))].join(', ')}`,
    ));
  });
});

describe('runContract refuses bad options with the message the command line gives', () => {
  const target = { baseUrl: 'http://x.test', fetch: () => Promise.reject(new Error('never called')) };

  test.each([
    [{ baseUrl: 'ftp://x.test' }, 'baseUrl (--base-url) must be an http:// or https:// URL, such as http://127.0.0.1:4010, not "ftp://x.test"'],
    [{ target, seed: 1.5 }, 'seed (--seed) must be a whole number from -2147483648 to 2147483647, not 1.5'],
    [{ target, lifecycleTimeoutMs: -1 }, 'lifecycleTimeoutMs (--lifecycle-timeout) must be a whole number of ms from 0 to 2147483647, not -1'],
    [{ target, apiKey: ' ' }, 'apiKey (--api-key) must be a non-empty text, not " "'],
    [{ target, junit: 'x.xml' }, 'junit is not an option of runContract; the options are baseUrl, apiKey, junitFile, only, lifecycleTimeoutMs, seed, receiverHost, requestTimeoutMs, target, output, rerunCommand'],
    [{}, 'runContract needs the implementation to check: baseUrl (such as http://127.0.0.1:4010) or target, one of them'],
  ])('%j', async (options, message) => {
    await expect(runContract(options as ContractOptions)).rejects.toThrow(new ContractOptionError(message));
  });
});

describe('the JUnit file', () => {
  test('one testcase per check: failures with the whole message, skips with their reason; valid XML', async () => {
    const file = join(temp, 'reports', 'contract.xml');
    const broken = brokenFor('a replay carries a new order id').breakage!();
    const { result } = await run({ only: 'idempotency/replay,lifecycle/', junitFile: file }, (inner) => broken(withoutLifecycleHelpers()(inner)));
    const suites = parseXml(readFileSync(file, 'utf8'));
    const cases = elementsNamed(suites, 'testcase');
    expect(cases.map((element) => element.attributes.name)).toEqual(result.outcomes.map((outcome) => outcome.checkName));
    expect(suites.attributes).toMatchObject({ tests: String(result.outcomes.length), failures: String(result.failed), skipped: String(result.skipped), errors: '0' });
    expect(result.failed).toBeGreaterThan(0);
    expect(result.skipped).toBeGreaterThan(0);
    for (const [index, outcome] of result.outcomes.entries()) {
      const children = cases[index]!.children;
      if (outcome.status === 'passed') expect(children).toEqual([]);
      if (outcome.status === 'skipped') expect(children).toMatchObject([{ name: 'skipped', attributes: { message: outcome.reason } }]);
      if (outcome.status === 'failed') {
        expect(children).toMatchObject([{ name: 'failure', attributes: { message: outcome.error.message.split('\n')[0] }, text: outcome.error.message }]);
        expect(outcome.error.message).toContain('curl -sS -i -g');
      }
    }
  });

  test('a run stopped before its checks is one error', async () => {
    const file = join(temp, 'stopped.xml');
    const { result } = await run({ apiKey: 'sk_test_wrong', junitFile: file }, undefined, { apiKeys: ['sk_test_accepted'] });
    const suites = parseXml(readFileSync(file, 'utf8'));
    expect(suites.attributes).toMatchObject({ tests: '1', errors: '1', failures: '0' });
    expect(elementsNamed(suites, 'error')).toMatchObject([{ attributes: { message: result.problem }, text: result.problem }]);
  });

  test('a file that cannot be written is said, and exits 2', async () => {
    const { result, error } = await run({ only: 'orders/unknown', junitFile: join(temp, 'stopped.xml', 'under-a-file.xml') });
    expect(result.exitCode).toBe(2);
    expect(error).toEqual([expect.stringMatching(/^cannot write the JUnit file .*under-a-file\.xml: /)]);
  });

  test('escapes markup, quotes and line breaks, and shows characters XML cannot hold', () => {
    const nasty = `a <b> & "c" 'd' ]]> \t tab\r\nline\u0000nul \u001b[31m \uD800 lone \uD83D\uDE00 pair`;
    const error = Object.assign(new ContractViolation(`${nasty}\nReproduce: curl -d '<x/>'`), { name: 'Contract"Violation' });
    const xml = junitXml({
      suite: 'suite & <more>', timestamp: new Date(0), durationMs: 1,
      outcomes: [
        { checkName: 'area/"quoted"<check>', status: 'failed', error, durationMs: 1 },
        { checkName: 'area/skipped', status: 'skipped', reason: nasty, durationMs: 0 },
      ],
    });
    const shown = (text: string) => text.replace('\u0000', '\\u0000').replace('\u001b', '\\u001b').replace('\uD800', '\\ud800');
    const suites = parseXml(xml);
    expect(suites.attributes.name).toBe('suite & <more>');
    const [failed, skipped] = elementsNamed(suites, 'testcase');
    expect(failed!.attributes.name).toBe('area/"quoted"<check>');
    // A failure's message attribute is its first line (up to the \n); the text, all of it.
    expect(failed!.children[0]).toMatchObject({ attributes: { message: shown(nasty).split('\n')[0], type: 'Contract"Violation' }, text: shown(error.message) });
    expect(failed!.children[0]!.attributes.message).toMatch(/tab\r$/);
    expect(skipped!.children[0]!.attributes.message).toBe(shown(nasty));
  });
});

describe('--seed draws a failing property check\'s cases again', () => {
  test('the failure prints the command with its seed, and that seed fails the same run with the same request', async () => {
    const broken = brokenServers.find((server) => server.caughtBy === VALID_BODIES_CHECK)!;
    const failingRun = async (seed?: number) => {
      const { result, log } = await run({ only: VALID_BODIES_CHECK, ...(seed === undefined ? {} : { seed }) }, broken.breakage!());
      expect(result.exitCode).toBe(1);
      const failure = log.find((line) => line.startsWith('FAIL'))!;
      const rerun = /\n {6}rerun: nimbus-sandbox contract --only (\S+) --seed (-?\d+)$/.exec(failure);
      expect(rerun?.[1]).toBe(VALID_BODIES_CHECK);
      return {
        seed: Number(rerun![2]),
        where: /\(fast-check seed -?\d+, run (\d+) of 20\)/.exec(failure)![1],
        curl: failure.split('\n').filter((line) => line.trim().startsWith('curl ')),
      };
    };
    const first = await failingRun();
    const again = await failingRun(first.seed);
    expect(again).toEqual(first);
  });
});

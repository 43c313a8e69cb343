import { afterAll, describe, expect, test } from 'vitest';
import { allChecks } from '../../contract-tests/checks/index.ts';
import { runChecks, type Outcome } from '../../contract-tests/kit/run.ts';
import type { Check } from '../../contract-tests/kit/check.ts';
import { brokenServers, brokenTarget, inProcessTarget, withoutLifecycleHelpers, type BrokenServer } from './broken-servers.ts';

/*
 * Proof that the contract kit catches faults: every check against the working stub passes, and
 * each deliberately broken server fails at least the check named for its rule.
 */

const names = (outcomes: Outcome[], status: Outcome['status']) => outcomes.filter((outcome) => outcome.status === status).map((outcome) => outcome.checkName);

async function runAgainst(server?: BrokenServer, checks: readonly Check[] = allChecks): Promise<Outcome[]> {
  const target = brokenTarget(server);
  try {
    return await runChecks(checks, target);
  } finally {
    await target.close();
  }
}

const areaOf = (checkName: string) => checkName.split('/')[0];

/** A broken server is run against the checks of its named check's area: enough to show that check fails, at a fraction of the time. */
const checksOfArea = (checkName: string) => allChecks.filter((check) => areaOf(check.checkName) === areaOf(checkName));

const caught: string[] = [];

describe('the contract kit against in-process servers', () => {
  test('the working stub passes every check', async () => {
    const outcomes = await runAgainst();
    const problems = outcomes.filter((outcome) => outcome.status !== 'passed')
      .map((outcome) => `${outcome.checkName}: ${outcome.status === 'failed' ? outcome.error.message : outcome.reason}`);
    expect(problems).toEqual([]);
  });

  test('every broken server names a real check, and every check has a broken server to catch', () => {
    const checkNames = allChecks.map((check) => check.checkName);
    const catchers = new Set(brokenServers.map((server) => server.caughtBy));
    expect([...catchers].filter((name) => !checkNames.includes(name)), 'broken servers naming no check').toEqual([]);
    expect(checkNames.filter((name) => !catchers.has(name)), 'checks no broken server shows able to fail').toEqual([]);
  });

  for (const server of brokenServers) {
    test(`catches: ${server.rule}`, async () => {
      const outcomes = await runAgainst(server, checksOfArea(server.caughtBy));
      const named = outcomes.find((outcome) => outcome.checkName === server.caughtBy);
      const seen = outcomes.map((outcome) => `${outcome.checkName}: ${outcome.status === 'failed' ? 'failed' : outcome.status === 'skipped' ? `skipped (${outcome.reason})` : 'passed'}`);
      expect(names(outcomes, 'failed'), `"${server.caughtBy}" should catch "${server.rule}"; the area's checks:\n${seen.join('\n')}`).toContain(server.caughtBy);
      expect(named?.status === 'failed' && named.error.message, 'the failure shows how to reproduce it').toMatch(/\n {2}(1\. )?curl -sS -i -g /);
      caught.push(server.rule);
    });
  }

  // One line for a green run; a server not caught fails its own test, with the area's outcomes.
  afterAll(() => {
    console.info(`caught ${caught.length}/${brokenServers.length} broken servers`);
  });
});

describe('lifecycle checks on a target without the sandbox helpers that move orders', () => {
  const lifecycleChecks = allChecks.filter((check) => check.checkName.startsWith('lifecycle/'));
  const advanceOnly = 'lifecycle/advancing-to-a-status-not-ahead-is-409-invalid-state-transition';

  async function runLifecycle(lifecycleTimeoutMs: number | undefined, timeline?: { processing: number; shipped: number; delivered: number }): Promise<Outcome[]> {
    const target = inProcessTarget(withoutLifecycleHelpers(), timeline === undefined ? {} : { timeline });
    try {
      return await runChecks(lifecycleChecks, { ...target, ...(lifecycleTimeoutMs === undefined ? {} : { lifecycleTimeoutMs }) });
    } finally {
      await target.close();
    }
  }

  test('without NIMBUS_LIFECYCLE_TIMEOUT they skip, saying why; none passes', async () => {
    const outcomes = await runLifecycle(undefined);
    expect(names(outcomes, 'skipped')).toEqual(lifecycleChecks.map((check) => check.checkName));
    for (const outcome of outcomes) {
      if (outcome.status !== 'skipped') continue;
      expect(outcome.reason).toMatch(outcome.checkName === advanceOnly ? /POST \/sandbox\/orders\/\{orderId\}\/advance/ : /NIMBUS_LIFECYCLE_TIMEOUT/);
    }
  });

  test('with NIMBUS_LIFECYCLE_TIMEOUT they poll GET /orders/{orderId} until the order moves on its own', async () => {
    const outcomes = await runLifecycle(5_000, { processing: 40, shipped: 40, delivered: 40 });
    expect(names(outcomes, 'passed')).toEqual(lifecycleChecks.map((check) => check.checkName).filter((name) => name !== advanceOnly));
    expect(names(outcomes, 'skipped')).toEqual([advanceOnly]);
  });

  test('an order that does not move within NIMBUS_LIFECYCLE_TIMEOUT fails the check', async () => {
    const outcomes = await runLifecycle(150);
    const delivered = outcomes.find((outcome) => outcome.checkName === 'lifecycle/advancing-the-clock-five-days-delivers-a-new-order');
    expect(delivered?.status === 'failed' && delivered.error.message).toMatch(/did not happen within NIMBUS_LIFECYCLE_TIMEOUT \(150 ms\)[\s\S]*curl -sS -i -g /);
  });
});

describe('webhook checks on a target without the helpers that move orders and clocks', () => {
  const webhookChecks = allChecks.filter((check) => check.checkName.startsWith('webhooks/'));
  const needsClock = 'webhooks/refill-ready-arrives-when-a-refill-is-approved';
  /** The checks that move no order: the test webhook's, and the delivery log's (a new order's order.created is enough). */
  const needNoMoves = [
    'webhooks/test-webhook-answers-200-with-a-wh-test-id', 'webhooks/unknown-event-type-is-422-naming-event-type',
    'webhooks/test-webhooks-count-toward-the-rate-limit', 'webhooks/test-webhook-arrives-signed-with-the-endpoint-secret',
    'webhooks/test-webhook-to-an-unregistered-url-is-signed-with-the-default-secret', 'webhooks/the-delivery-log-lists-the-body-and-signature-sent',
  ];
  const needMoves = webhookChecks.map((check) => check.checkName).filter((name) => !needNoMoves.includes(name));

  async function runWebhooks(lifecycleTimeoutMs: number | undefined): Promise<Outcome[]> {
    // Orders move on their own within milliseconds, and the background sweep sends retries as they fall due.
    const target = inProcessTarget(withoutLifecycleHelpers(), { timeline: { processing: 40, shipped: 40, delivered: 40 }, sweepIntervalMs: 50 });
    try {
      return await runChecks(webhookChecks, { ...target, ...(lifecycleTimeoutMs === undefined ? {} : { lifecycleTimeoutMs }) });
    } finally {
      await target.close();
    }
  }

  test('with NIMBUS_LIFECYCLE_TIMEOUT they wait for orders to move and for the retry in real time', async () => {
    const outcomes = await runWebhooks(5_000);
    expect(outcomes.filter((outcome) => outcome.status === 'failed').map((outcome) => `${outcome.checkName}: ${outcome.status === 'failed' && outcome.error.message}`)).toEqual([]);
    expect(names(outcomes, 'skipped')).toEqual([needsClock]);
  });

  test('without it, the checks that need an order moved or a retry skip, naming it', async () => {
    const outcomes = await runWebhooks(undefined);
    expect(names(outcomes, 'skipped')).toEqual(needMoves);
    for (const outcome of outcomes) {
      if (outcome.status === 'skipped' && outcome.checkName !== needsClock) expect(outcome.reason).toMatch(/NIMBUS_LIFECYCLE_TIMEOUT/);
    }
  });
});

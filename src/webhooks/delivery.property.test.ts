import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, ManualClock } from '../clock.ts';
import { KeyedLock } from '../concurrency/keyed-lock.ts';
import { TEST_ORDER_ID } from '../domain/test-data.ts';
import { seededIds, type IdGenerator } from '../ids.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { schemaTest } from '../validation.ts';
import type { EventContent, WebhookEvent, WebhookEventType } from './events.ts';
import { verifyWebhookSignature } from './signature.ts';
import { DEFAULT_MAX_DELIVERIES, DEFAULT_MAX_ENDPOINTS, WebhookService, type SendResult, type WebhookDelivery } from './webhook-service.ts';

const T0 = Date.parse('2025-02-03T15:00:00Z');
const TENANT = 'tenant';
/** README: five attempts in all, retried 1, 2, 4 and 8 s after a failed one. */
const ATTEMPTS_PER_EVENT = 5;
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000];
const BATCH = 32;
const RUNS = 40;

/** Few orders and refills, so events about one often queue behind each other. Test webhooks borrow the first of each. */
const ORDER_IDS = [TEST_ORDER_ID, 'ord_a', 'ord_b'];
const REFILL_IDS = ['ref_test_001', 'ref_a'];
const ORDER_TYPES: WebhookEventType[] = ['order.created', 'order.processing', 'order.delivered', 'order.cancelled'];
const REFILL_TYPES: WebhookEventType[] = ['refill.ready', 'refill.processing', 'refill.shipped', 'refill.cancelled'];
const TEST_TYPES: WebhookEventType[] = ['order.created', 'order.fulfilled', 'refill.ready'];
const EVERY_TYPE: WebhookEventType[] = [...ORDER_TYPES, 'order.fulfilled', ...REFILL_TYPES];

const isWebhookEvent = schemaTest('WebhookEvent');

// ---------------------------------------------------------------------------------------------
// Scenarios, as data
// ---------------------------------------------------------------------------------------------

/** How a promise settles: after this many microtasks, or turns of the event loop. */
type Wait = { turns: number; via: 'microtask' | 'macrotask' };

/** Times are whole seconds, so the times the delivery log shows (to the second) are exact. */
type Operation =
  | { op: 'publish'; about: string; type: WebhookEventType; secondsAgo: number }
  | { op: 'sweep'; orders: number; secondsAgo: number }
  | { op: 'sendTest'; type: WebhookEventType; toEndpoint: number | null }
  | { op: 'advance'; seconds: number }
  | { op: 'kick' }
  | { op: 'drain'; awaited: boolean }
  | ({ op: 'wait' } & Wait)
  | { op: 'createEndpoint' }
  | { op: 'deleteEndpoint'; endpoint: number }
  | { op: 'reset' };

/** One answer of the receivers, used in turn while they are unhealthy. */
type Reply = { answer: 'ok' | 'error' | 'throw' } & Wait;

interface Scenario {
  operations: Operation[];
  replies: Reply[];
}

const wait = { turns: fc.integer({ min: 0, max: 5 }), via: fc.constantFrom('microtask' as const, 'macrotask' as const) };
const endpointPick = fc.nat({ max: 7 });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.oneof(
      fc.record({ op: fc.constant('publish' as const), about: fc.constantFrom(...ORDER_IDS), type: fc.constantFrom(...ORDER_TYPES), secondsAgo: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ op: fc.constant('publish' as const), about: fc.constantFrom(...REFILL_IDS), type: fc.constantFrom(...REFILL_TYPES), secondsAgo: fc.integer({ min: 0, max: 20 }) }),
    ),
    weight: 20,
  },
  // Many orders at once, as a sweep publishes them: more than one batch's worth.
  { arbitrary: fc.record({ op: fc.constant('sweep' as const), orders: fc.integer({ min: 1, max: 40 }), secondsAgo: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('sendTest' as const), type: fc.constantFrom(...TEST_TYPES), toEndpoint: fc.option(endpointPick) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 4 }) }), weight: 8 },
  { arbitrary: fc.record({ op: fc.constant('kick' as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('drain' as const), awaited: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('wait' as const), ...wait }), weight: 12 },
  { arbitrary: fc.record({ op: fc.constant('createEndpoint' as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('deleteEndpoint' as const), endpoint: endpointPick }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('reset' as const) }), weight: 1 },
);

const reply: fc.Arbitrary<Reply> = fc.record({ answer: fc.constantFrom('ok' as const, 'error' as const, 'error' as const, 'throw' as const), ...wait });

const scenario: fc.Arbitrary<Scenario> = fc.record({
  operations: fc.array(operation, { maxLength: 100, size: 'max' }),
  replies: fc.array(reply, { minLength: 1, maxLength: 40, size: 'max' }),
});

// ---------------------------------------------------------------------------------------------
// The interpreter
// ---------------------------------------------------------------------------------------------

interface EventInfo {
  /** The order or refill id; a test webhook is its own subject. */
  subject: string;
  /** Sandbox time it was published for, or the test webhook was sent. */
  dueAt: number;
  isTest: boolean;
}

interface EndpointRecord {
  id: string;
  url: string;
  secret: string;
  /** Event ids queued to it, in the order published. */
  queued: string[];
  /** For an event published while an earlier one about its subject was not yet done here: that one. */
  queuedBehind: Map<string, string>;
  /** Its delivery log: as it stood when it was deleted or reset, or at the end. */
  attempts: WebhookDelivery[];
  /** The receivers' log length when it was deleted or reset. */
  removedAt?: number;
}

/** What the receivers saw, in the order it happened. */
type Request =
  | { kind: 'sent'; url: string; eventId: string; at: number }
  | { kind: 'answered'; url: string; eventId: string; succeeded: boolean };

interface Observations {
  events: Map<string, EventInfo>;
  endpoints: EndpointRecord[];
  requests: Request[];
  /** Events found due but not yet sent when a drain had resolved. */
  overdue: string[];
  unexpected: unknown[];
}

const RECEIVER_CRASH = new Error('the receiver crashed');
const HEALTHY: Reply = { answer: 'ok', turns: 0, via: 'microtask' };

function settleAfter({ turns, via }: Wait): Promise<void> {
  let waiting = Promise.resolve();
  for (let i = 0; i < turns; i++) waiting = waiting.then(() => (via === 'macrotask' ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined));
  return waiting;
}

/** Seeded ids that remember the last event id handed out: how the test learns the id `publish` gave its event. */
function recordingIds(): IdGenerator & { lastEventId(): string | undefined } {
  const ids = seededIds(1);
  let lastEventId: string | undefined;
  return {
    next: (prefix, length) => {
      const id = ids.next(prefix, length);
      if (prefix === 'evt') lastEventId = id;
      return id;
    },
    digits: (length) => ids.digits(length),
    int: (bound) => ids.int(bound),
    lastEventId: () => lastEventId,
  };
}

function contentAbout(about: string, type: WebhookEventType): EventContent {
  if (about.startsWith('ref_')) {
    const status = type === 'refill.ready' ? 'approved' : type.slice('refill.'.length);
    return { type, data: { refillId: about, prescriptionId: 'rx_test_001', status } } as EventContent;
  }
  if (type === 'order.created') return { type, data: { orderId: about, patientId: 'pat_test_001', prescriptionId: 'rx_test_001', status: 'pending' } };
  return { type, data: { orderId: about, status: type.slice('order.'.length) } } as EventContent;
}

const isFinal = (attempt: WebhookDelivery) => attempt.succeeded || attempt.deadLettered;

/**
 * Runs a scenario against two endpoints to start with, the receivers answering as scripted;
 * then turns the receivers healthy and lets five minutes pass, draining each one.
 */
async function run({ operations, replies }: Scenario): Promise<Observations> {
  const clock = new ManualClock(T0);
  const ids = recordingIds();
  const events = new Map<string, EventInfo>();
  const endpoints: EndpointRecord[] = [];
  const requests: Request[] = [];
  const overdue: string[] = [];
  const unexpected: unknown[] = [];
  let live: EndpointRecord[] = [];
  let healthy = false;
  let replyCount = 0;
  const store = new MemoryStore();
  const service = new WebhookService({
      maxEndpoints: DEFAULT_MAX_ENDPOINTS, maxDeliveries: DEFAULT_MAX_DELIVERIES,
    store,
    lock: new KeyedLock<string>(),
    idsFor: () => ids,
    clockFor: () => clock,
    timeoutMs: 1_000,
    isValidEvent: isWebhookEvent,
    reportUnexpected: (error) => {
      if (error !== RECEIVER_CRASH) unexpected.push(error);
    },
    send: async (url, body): Promise<SendResult> => {
      const eventId = (JSON.parse(body) as WebhookEvent).id;
      requests.push({ kind: 'sent', url, eventId, at: clock.now() });
      const { answer, ...delay } = healthy ? HEALTHY : replies[replyCount++ % replies.length]!;
      await settleAfter(delay);
      requests.push({ kind: 'answered', url, eventId, succeeded: answer === 'ok' });
      if (answer === 'throw') throw RECEIVER_CRASH;
      return answer === 'ok' ? { status: 200, error: null } : { status: 500, error: 'Answered 500' };
    },
  });
  const background: Array<Promise<void>> = [];
  const inBackground = (draining: Promise<void>) => background.push(draining.catch((error: unknown) => { unexpected.push(error); }));

  // The tenant as the sandbox sets it up: in the store first, then its outboxes loaded.
  await store.ensureTenant(TENANT, () => ({ settings: { defaultSecret: 'whsec_propertyDefault', clockAdvancedMs: 0 }, orders: [], endpoints: [] }));
  await service.load(TENANT);

  /**
   * Each live endpoint's delivery log as it stands at the moment of the call. The memory store
   * copies the log when asked, before answering, so calling this just before a synchronous step
   * (a publish, the store's delete or reset) reads the log exactly as that step found it.
   */
  const logsNow = (records: EndpointRecord[]): Promise<WebhookDelivery[][]> => Promise.all(records.map((record) => service.deliveries(TENANT, record.id)));

  const createEndpoint = async () => {
    const url = `http://receiver-${endpoints.length}.test/hooks`;
    const { id, secret } = await service.createEndpoint(TENANT, url, EVERY_TYPE);
    const record: EndpointRecord = { id, url, secret, queued: [], queuedBehind: new Map(), attempts: [] };
    endpoints.push(record);
    live.push(record);
  };
  /** Takes the endpoints' logs as `removal` finds them; once it is done, nothing more may be sent to them. */
  const remove = async (records: EndpointRecord[], removal: () => Promise<void>) => {
    const logs = logsNow(records);
    const removing = removal();
    (await logs).forEach((attempts, index) => { records[index]!.attempts = [...attempts]; });
    await removing;
    for (const record of records) record.removedAt = requests.length;
  };
  const lastAt = new Map<string, number>();
  const publish = async (about: string, type: WebhookEventType, secondsAgo: number) => {
    // Events about one order happen in order, though a sweep may publish them late.
    const at = Math.max(lastAt.get(about) ?? -Infinity, clock.now() - secondsAgo * 1_000);
    lastAt.set(about, at);
    const publishedTo = [...live];
    const logs = logsNow(publishedTo);
    const before = ids.lastEventId();
    service.publish(TENANT, contentAbout(about, type), isoTime(at));
    const eventId = ids.lastEventId();
    const behind = (await logs).map((attempts, index) => unfinishedBefore(publishedTo[index]!, about, events, attempts));
    if (eventId === undefined || eventId === before) return;
    events.set(eventId, { subject: about, dueAt: at, isTest: false });
    publishedTo.forEach((record, index) => {
      record.queued.push(eventId);
      if (behind[index] !== undefined) record.queuedBehind.set(eventId, behind[index]);
    });
  };

  await createEndpoint();
  await createEndpoint();
  for (const step of operations) {
    switch (step.op) {
      case 'publish':
        await publish(step.about, step.type, step.secondsAgo);
        break;
      case 'sweep':
        for (let i = 0; i < step.orders; i++) await publish(`ord_sweep_${i}`, 'order.processing', step.secondsAgo);
        break;
      case 'sendTest': {
        const target = step.toEndpoint === null || live.length === 0 ? undefined : live[step.toEndpoint % live.length]!;
        service.sendTest(TENANT, step.type, target?.url);
        const eventId = ids.lastEventId()!;
        events.set(eventId, { subject: `test ${eventId}`, dueAt: clock.now(), isTest: true });
        for (const record of target === undefined ? live : [target]) record.queued.push(eventId);
        break;
      }
      case 'advance':
        clock.advance(step.seconds * 1_000);
        break;
      case 'kick':
        service.kick(TENANT);
        break;
      case 'drain':
        if (!step.awaited) {
          inBackground(service.drain(TENANT));
          break;
        }
        await service.drain(TENANT).catch((error: unknown) => { unexpected.push(error); });
        (await logsNow(live)).forEach((attempts, index) => overdue.push(...dueButUnsent(live[index]!, events, attempts, clock.now())));
        break;
      case 'wait':
        await settleAfter(step);
        break;
      case 'createEndpoint':
        await createEndpoint();
        break;
      case 'deleteEndpoint': {
        if (live.length === 0) break;
        const [record] = live.splice(step.endpoint % live.length, 1);
        await remove([record!], () => service.deleteEndpoint(TENANT, record!.id));
        break;
      }
      case 'reset': {
        // As the sandbox resets a tenant: the store first, then the outboxes loaded afresh.
        const removed = live;
        live = [];
        await remove(removed, async () => {
          await store.resetTenant(TENANT, []);
          await service.load(TENANT);
        });
        break;
      }
    }
  }

  await Promise.all(background);
  healthy = true;
  for (let minute = 0; minute < 5; minute++) {
    clock.advance(60_000);
    await service.drain(TENANT).catch((error: unknown) => { unexpected.push(error); });
    (await logsNow(live)).forEach((attempts, index) => overdue.push(...dueButUnsent(live[index]!, events, attempts, clock.now())));
  }
  (await logsNow(live)).forEach((attempts, index) => { live[index]!.attempts = [...attempts]; });
  return { events, endpoints, requests, overdue, unexpected };
}

/** The latest event about `subject` queued to the endpoint, if it is not yet delivered or dead-lettered. */
function unfinishedBefore(record: EndpointRecord, subject: string, events: Map<string, EventInfo>, attempts: WebhookDelivery[]): string | undefined {
  for (let index = record.queued.length - 1; index >= 0; index--) {
    const previous = record.queued[index]!;
    if (events.get(previous)!.subject !== subject) continue;
    return attempts.some((attempt) => attempt.eventId === previous && isFinal(attempt)) ? undefined : previous;
  }
  return undefined;
}

/**
 * The events queued to the endpoint that are due at `now` yet not attempted: a retry whose time
 * has come, or an event whose own time has come, and, for an order's later event, after the
 * earlier one was done.
 */
function dueButUnsent(record: EndpointRecord, events: Map<string, EventInfo>, attempts: WebhookDelivery[], now: number): string[] {
  const lastAttempt = new Map(attempts.map((attempt) => [attempt.eventId, attempt]));
  const doneAt = new Map<string, string>();
  const blocked = new Set<string>();
  const unsent: string[] = [];
  for (const eventId of record.queued) {
    const { subject, dueAt } = events.get(eventId)!;
    const last = lastAttempt.get(eventId);
    if (last !== undefined && isFinal(last)) {
      doneAt.set(subject, last.attemptedAt);
      continue;
    }
    if (blocked.has(subject)) continue;
    blocked.add(subject);
    const previousDone = doneAt.get(subject);
    const fallsDue = last !== undefined ? last.nextRetryAt! : previousDone !== undefined && previousDone > isoTime(dueAt) ? previousDone : isoTime(dueAt);
    if (fallsDue <= isoTime(now)) unsent.push(`${eventId} due at ${fallsDue} not sent to ${record.url} by ${isoTime(now)}`);
  }
  return unsent;
}

// ---------------------------------------------------------------------------------------------
// The properties: each lists what broke it
// ---------------------------------------------------------------------------------------------

/** Each endpoint's attempts grouped by event, in the order listed. */
function attemptsByEvent(record: EndpointRecord): Map<string, WebhookDelivery[]> {
  const byEvent = new Map<string, WebhookDelivery[]>();
  for (const attempt of record.attempts) byEvent.set(attempt.eventId, [...(byEvent.get(attempt.eventId) ?? []), attempt]);
  return byEvent;
}

const attemptLimit = (events: Map<string, EventInfo>, eventId: string) => (events.get(eventId)!.isTest ? 1 : ATTEMPTS_PER_EVENT);

function twoOutAtOnce({ events, requests }: Observations): string[] {
  const problems: string[] = [];
  const out = new Map<string, number>();
  for (const request of requests) {
    const key = `${request.url} ${events.get(request.eventId)!.subject}`;
    const count = out.get(key) ?? 0;
    if (request.kind === 'sent' && count > 0) problems.push(`${request.eventId} sent to ${key} while another was out`);
    out.set(key, request.kind === 'sent' ? count + 1 : count - 1);
  }
  return problems;
}

function moreThanABatchOut({ requests }: Observations): string[] {
  const problems: string[] = [];
  const out = new Map<string, number>();
  for (const request of requests) {
    const count = (out.get(request.url) ?? 0) + (request.kind === 'sent' ? 1 : -1);
    out.set(request.url, count);
    if (count > BATCH) problems.push(`${count} requests out to ${request.url}`);
  }
  return problems;
}

function sentBeforeEarlierWereDone({ events, endpoints, requests }: Observations): string[] {
  const problems: string[] = [];
  const byUrl = new Map(endpoints.map((record) => [record.url, record]));
  const failures = new Map<string, number>();
  const done = new Set<string>();
  for (const request of requests) {
    const key = `${request.url} ${request.eventId}`;
    if (request.kind === 'answered') {
      const failed = request.succeeded ? 0 : (failures.get(key) ?? 0) + 1;
      failures.set(key, failed);
      if (request.succeeded || failed === attemptLimit(events, request.eventId)) done.add(key);
      continue;
    }
    const { queued } = byUrl.get(request.url)!;
    const { subject } = events.get(request.eventId)!;
    for (const earlier of queued.slice(0, queued.indexOf(request.eventId))) {
      if (events.get(earlier)!.subject === subject && !done.has(`${request.url} ${earlier}`)) {
        problems.push(`${request.eventId} sent to ${request.url} before ${earlier} about ${subject} was done`);
      }
    }
  }
  return problems;
}

function listedOutOfTimeOrder({ endpoints }: Observations): string[] {
  return endpoints.flatMap(({ url, attempts }) => attempts.slice(1)
    .filter((attempt, index) => attempt.attemptedAt < attempts[index]!.attemptedAt)
    .map((attempt) => `${url}: ${attempt.eventId}#${attempt.attempt} at ${attempt.attemptedAt} listed after a later attempt`));
}

function misnumberedOrMisannounced({ endpoints }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints) {
    for (const [eventId, attempts] of attemptsByEvent(record)) {
      const numbers = attempts.map((attempt) => attempt.attempt);
      if (numbers.some((number, index) => number !== index + 1)) problems.push(`${eventId} numbered ${numbers.join(', ')}`);
      attempts.forEach((attempt, index) => {
        const next = attempts[index + 1];
        if (next !== undefined && attempt.nextRetryAt !== next.attemptedAt) {
          problems.push(`${eventId}#${attempt.attempt} announced ${attempt.nextRetryAt}, next made at ${next.attemptedAt}`);
        }
        // At the end nothing is pending, so a retry announced by a last attempt never came.
        if (next === undefined && record.removedAt === undefined && attempt.nextRetryAt !== null) {
          problems.push(`${eventId}#${attempt.attempt} announced ${attempt.nextRetryAt}, none came`);
        }
      });
    }
  }
  return problems;
}

function deadLetteredWronglyOrListedAfterDone({ events, endpoints }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints) {
    for (const [eventId, attempts] of attemptsByEvent(record)) {
      const limit = attemptLimit(events, eventId);
      attempts.forEach((attempt, index) => {
        const shouldDeadLetter = !attempt.succeeded && attempt.attempt === limit;
        if (attempt.deadLettered !== shouldDeadLetter) problems.push(`${eventId}#${attempt.attempt} (of ${limit}) deadLettered ${attempt.deadLettered}`);
        if (isFinal(attempt) && (index < attempts.length - 1 || attempt.nextRetryAt !== null)) {
          problems.push(`${eventId}#${attempt.attempt} was ${attempt.succeeded ? 'delivered' : 'dead-lettered'}, yet another attempt came or was announced`);
        }
      });
    }
  }
  return problems;
}

function retriedOffSchedule({ endpoints }: Observations): string[] {
  return endpoints.flatMap(({ attempts }) => attempts
    .filter((attempt) => !isFinal(attempt))
    .filter((attempt) => attempt.nextRetryAt === null || Date.parse(attempt.nextRetryAt) - Date.parse(attempt.attemptedAt) !== BACKOFF_MS[attempt.attempt - 1])
    .map((attempt) => `${attempt.eventId}#${attempt.attempt} at ${attempt.attemptedAt} retried at ${attempt.nextRetryAt}`));
}

function madeBeforeRecordedTime({ endpoints, requests }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints) {
    const sentAt = new Map<string, number[]>();
    for (const request of requests) {
      if (request.kind === 'sent' && request.url === record.url) sentAt.set(request.eventId, [...(sentAt.get(request.eventId) ?? []), request.at]);
    }
    for (const attempt of record.attempts) {
      const at = sentAt.get(attempt.eventId)?.[attempt.attempt - 1];
      if (at === undefined || at < Date.parse(attempt.attemptedAt)) {
        problems.push(`${attempt.eventId}#${attempt.attempt} recorded at ${attempt.attemptedAt}, sent at ${at === undefined ? 'no time' : isoTime(at)}`);
      }
    }
  }
  return problems;
}

function requestsNotListed({ endpoints, requests }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints.filter((each) => each.removedAt === undefined)) {
    const sent = new Map<string, number>();
    for (const request of requests) if (request.kind === 'sent' && request.url === record.url) sent.set(request.eventId, (sent.get(request.eventId) ?? 0) + 1);
    const listed = new Map([...attemptsByEvent(record)].map(([eventId, attempts]) => [eventId, attempts.length]));
    for (const eventId of new Set([...sent.keys(), ...listed.keys()])) {
      if (sent.get(eventId) !== listed.get(eventId)) problems.push(`${record.url}: ${eventId} sent ${sent.get(eventId) ?? 0} times, listed ${listed.get(eventId) ?? 0}`);
    }
  }
  return problems;
}

function firstAttemptOffDue({ events, endpoints }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints) {
    const byEvent = attemptsByEvent(record);
    for (const [eventId, [first]] of byEvent) {
      const { dueAt, isTest } = events.get(eventId)!;
      const behind = record.queuedBehind.get(eventId);
      const doneAt = behind === undefined ? undefined : byEvent.get(behind)?.find(isFinal)?.attemptedAt;
      const expected = doneAt === undefined || doneAt < isoTime(dueAt) ? isoTime(dueAt) : doneAt;
      const wrong = isTest || behind !== undefined ? first!.attemptedAt !== expected : first!.attemptedAt < expected;
      if (wrong) problems.push(`${eventId} first attempted at ${first!.attemptedAt}, due ${expected}${behind === undefined ? '' : ` (behind ${behind})`}`);
    }
  }
  return problems;
}

function leftOverdue({ overdue }: Observations): string[] {
  return overdue;
}

function undelivered({ endpoints }: Observations): string[] {
  return endpoints
    .filter((record) => record.removedAt === undefined)
    .flatMap((record) => record.queued
      .filter((eventId) => !record.attempts.some((attempt) => attempt.eventId === eventId && isFinal(attempt)))
      .map((eventId) => `${eventId} to ${record.url} neither delivered nor dead-lettered`));
}

function sentAfterRemoval({ endpoints, requests }: Observations): string[] {
  return endpoints.flatMap(({ url, removedAt }) => (removedAt === undefined ? [] : requests.slice(removedAt)
    .filter((request) => request.kind === 'sent' && request.url === url)
    .map((request) => `${request.eventId} sent to ${url} after it was removed`)));
}

function listedOtherThanSent({ endpoints }: Observations): string[] {
  const problems: string[] = [];
  for (const record of endpoints) {
    for (const [eventId, attempts] of attemptsByEvent(record)) {
      const [{ body, signature }] = attempts as [WebhookDelivery];
      if (attempts.some((attempt) => attempt.body !== body || attempt.signature !== signature)) problems.push(`${eventId}'s attempts list different bodies or signatures`);
      if ((JSON.parse(body) as { id: string }).id !== eventId) problems.push(`${eventId} lists the body of another event: ${body}`);
      if (!verifyWebhookSignature(body, signature, record.secret)) problems.push(`${eventId}'s listed signature does not verify over its listed body`);
    }
  }
  return problems;
}

function reportedUnexpectedly({ unexpected }: Observations): string[] {
  return unexpected.map(String);
}

/** A test that runs random scenarios and expects `check` to find nothing wrong in any. */
function holdsFor(check: (seen: Observations) => string[]): () => Promise<void> {
  return async () => {
    await fc.assert(fc.asyncProperty(scenario, async (generated) => {
      expect(check(await run(generated)).slice(0, 5)).toEqual([]);
    }), { numRuns: RUNS });
  };
}

describe('webhook delivery, under random publishing, clock advances, drains and failing receivers', () => {
  it('never has two events about the same order (or refill) out to one endpoint at the same time', holdsFor(twoOutAtOnce));

  it('never has more than 32 requests out to one endpoint at once', holdsFor(moreThanABatchOut));

  it('never sends an order\'s event before the earlier events of that order to that endpoint were delivered or dead-lettered', holdsFor(sentBeforeEarlierWereDone));

  it('lists each endpoint\'s attempts oldest first', holdsFor(listedOutOfTimeOrder));

  it('numbers each event\'s attempts 1..n and announces as nextRetryAt exactly the next attempt\'s attemptedAt', holdsFor(misnumberedOrMisannounced));

  it('dead-letters exactly the 5th failed attempt (the only attempt of a test webhook), and lists nothing after a delivered or dead-lettered attempt', holdsFor(deadLetteredWronglyOrListedAfterDone));

  it('retries a failed attempt 1, 2, 4 and 8 s after it', holdsFor(retriedOffSchedule));

  it('makes no attempt before the sandbox time it is recorded at', holdsFor(madeBeforeRecordedTime));

  it('lists every request an endpoint was sent as one attempt', holdsFor(requestsNotListed));

  it('records a first attempt when it fell due: a test webhook when sent, an event queued behind another about its order when that one was done', holdsFor(firstAttemptOffDue));

  it('leaves nothing that has fallen due unsent once a drain resolves', holdsFor(leftOverdue));

  it('delivers or dead-letters every event queued to a surviving endpoint once the receiver is healthy and the clock moves on', holdsFor(undelivered));

  it('sends nothing to an endpoint after it was deleted or reset', holdsFor(sentAfterRemoval));

  it('lists every attempt of an event with its one body and a signature that verifies over it with the endpoint\'s secret', holdsFor(listedOtherThanSent));

  it('reports nothing unexpected but the receiver\'s own crashes', holdsFor(reportedUnexpectedly));
});

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { describeFetchError } from '../kit/client.ts';
import { printable } from '../kit/printable.ts';
import { SIGNATURE_HEADER, webhookSignature } from '../kit/signature.ts';
import { PUBLISHED_ORDER_ID, PUBLISHED_PATIENT_IDS, PUBLISHED_PRESCRIPTION_IDS } from '../kit/test-data.ts';
import { CHECK_RECEIVER_OPTIONS, PUBLISHED_WEBHOOK_TIMEOUT_MS, type CheckReceiverSettings } from './check-receiver-options.ts';

/**
 * `nimbus-sandbox check-receiver`: posts events to an integrator's webhook receiver the way
 * Nimbus does (signed with `X-Webhook-Signature`) and says whether it answers as Nimbus needs.
 */

/** A type no Nimbus event has (yet): receivers must ignore, not fail on, types they do not know. */
export const UNKNOWN_EVENT_TYPE = 'order.returned';

export interface ReceiverAnswer {
  status: number;
  /** The start of the body, secret hidden. */
  excerpt: string;
  /** Where a redirect (3xx) points. */
  location?: string;
  ms: number;
}

/** What the receiver did with one post: an answer, or none within the timeout, or a connection it dropped. */
export type Reaction = { answer: ReceiverAnswer } | { noAnswer: string };

interface Post {
  event: Record<string, unknown>;
  signature: 'right' | 'wrong' | 'none';
}

interface ReceiverCheck {
  name: string;
  /** Each check's post, given the events of the run (the first is sent twice). */
  post(events: RunEvents): Post;
  /** Undefined when the reaction is what Nimbus needs, else what is wrong with it. */
  judge(reaction: Reaction, timeoutMs: number): string | undefined;
}

interface RunEvents {
  created: Record<string, unknown>;
  fresh(type?: string): Record<string, unknown>;
}

const within = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** Nimbus posts to the URL registered and takes a redirect as a failed delivery, whatever the event. */
function redirected(answer: ReceiverAnswer): string | undefined {
  if (answer.status < 300 || answer.status >= 400) return undefined;
  return `it answered HTTP ${answer.status}, a redirect${answer.location === undefined ? '' : ` to ${answer.location}`}; Nimbus does not follow redirects, so every event fails there: give it the URL your receiver answers at`;
}

function acknowledged(reaction: Reaction, timeoutMs: number): string | undefined {
  if ('noAnswer' in reaction) return `${reaction.noAnswer}; Nimbus counts that as a failed delivery and retries`;
  const redirect = redirected(reaction.answer);
  if (redirect !== undefined) return redirect;
  const { status } = reaction.answer;
  if (status >= 200 && status < 300) return undefined;
  return `it answered HTTP ${status}; Nimbus needs a 2xx within ${within(timeoutMs)}, else it retries the event`;
}

export const RECEIVER_CHECKS: readonly ReceiverCheck[] = [
  {
    name: 'a signed order.created is acknowledged with a 2xx',
    post: ({ created }) => ({ event: created, signature: 'right' }),
    judge: acknowledged,
  },
  {
    name: 'the same event again (same id) is acknowledged too: receivers dedupe, they do not fail',
    post: ({ created }) => ({ event: created, signature: 'right' }),
    judge: acknowledged,
  },
  {
    name: 'an event with a wrong signature is refused with a 4xx',
    post: ({ fresh }) => ({ event: fresh(), signature: 'wrong' }),
    judge: (reaction) => refused(reaction, 'a forged event'),
  },
  {
    name: 'an event without a signature is refused with a 4xx',
    post: ({ fresh }) => ({ event: fresh(), signature: 'none' }),
    judge: (reaction) => refused(reaction, 'an unsigned event'),
  },
  {
    name: `an event of a type it does not know (${UNKNOWN_EVENT_TYPE}) does not cause a 5xx`,
    post: ({ fresh }) => ({ event: fresh(UNKNOWN_EVENT_TYPE), signature: 'right' }),
    judge: (reaction) => {
      if ('noAnswer' in reaction) return `${reaction.noAnswer}; Nimbus counts that as a failed delivery and retries`;
      const { status } = reaction.answer;
      return redirected(reaction.answer) ?? (status >= 500 ? `it answered HTTP ${status}: a new event type would fail every delivery; acknowledge (2xx) and ignore types you do not handle` : undefined);
    },
  },
];

function refused(reaction: Reaction, what: string): string | undefined {
  if ('noAnswer' in reaction) return `${reaction.noAnswer}; refuse ${what} with a 4xx at once`;
  const redirect = redirected(reaction.answer);
  if (redirect !== undefined) return redirect;
  const { status } = reaction.answer;
  if (status >= 400 && status < 500) return undefined;
  return status < 400 ? `it accepted ${what} (HTTP ${status}): verify X-Webhook-Signature over the raw body before acting` : `it answered HTTP ${status}; refuse ${what} with a 4xx`;
}

/** An order.created with the published test data, as Nimbus would post it. */
export function orderCreatedEvent(id: string, createdAt: string): Record<string, unknown> {
  return {
    id, type: 'order.created', createdAt,
    data: { orderId: PUBLISHED_ORDER_ID, patientId: PUBLISHED_PATIENT_IDS[0], prescriptionId: PUBLISHED_PRESCRIPTION_IDS[0], status: 'pending' },
  };
}

const eventId = () => `evt_${randomBytes(12).toString('hex')}`;

/** The receiver cannot be reached at all: nothing can be judged (exit 2). */
export class ReceiverUnreachable extends Error {
  override name = 'ReceiverUnreachable';
}

/** Errors of reaching a host, before any answer could come: the URL or the receiver's state is at fault, not its behaviour. */
const UNREACHABLE_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_.*|CERT_.*|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_SSL_.*)$/;

const EXCERPT = 200;

async function post(url: string, body: string, headers: Record<string, string>, secret: string, timeoutMs: number, agent: Agent): Promise<Reaction> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number | undefined;
  try {
    const answer = await request(url, { method: 'POST', body, headers, dispatcher: agent, signal });
    status = answer.statusCode;
    let text = '';
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8');
      if (text.length > EXCERPT) break;
    }
    answer.body.destroy();
    const excerpt = printable(text.slice(0, EXCERPT).split(secret).join('<secret>'));
    const location = answer.headers.location;
    return { answer: { status: answer.statusCode, excerpt, ms: Math.round(performance.now() - started), ...(typeof location === 'string' ? { location: printable(location) } : {}) } };
  } catch (error) {
    // As Nimbus does: a status line whose body does not end in time is no acknowledgement.
    if (signal.aborted) return { noAnswer: status === undefined ? `no answer within ${within(timeoutMs)}` : `it answered HTTP ${status} but did not finish its body within ${within(timeoutMs)}` };
    const code = (error as { code?: string }).code ?? ((error as Error).cause as { code?: string } | undefined)?.code ?? '';
    if (UNREACHABLE_CODES.test(code)) throw new ReceiverUnreachable(describeFetchError(error), { cause: error });
    return { noAnswer: `the connection ended without an answer (${describeFetchError(error).split(secret).join('<secret>')})` };
  }
}

function describeReaction(reaction: Reaction): string {
  if ('noAnswer' in reaction) return reaction.noAnswer;
  const { status, excerpt, ms } = reaction.answer;
  return `HTTP ${status} in ${ms} ms${excerpt === '' ? '' : ` ${JSON.stringify(excerpt)}`}`;
}

export interface CheckReceiverOptions extends CheckReceiverSettings {
  output?: { log(line: string): void };
}

export interface CheckReceiverResult {
  passed: number;
  failed: number;
  /** Why the run stopped with exit code 2: the receiver could not be reached. */
  problem?: string;
  exitCode: 0 | 1 | 2;
}

/** Runs every check against the receiver, one line each as it finishes, then the summary. */
export async function checkReceiver(options: CheckReceiverOptions): Promise<CheckReceiverResult> {
  const { output, ...settings } = options;
  CHECK_RECEIVER_OPTIONS.validate(settings as Record<string, unknown>, [], 'checkReceiver');
  const { url, secret } = settings;
  if (url === undefined || secret === undefined) throw new RangeError('checkReceiver needs url (the receiver) and secret');
  const timeoutMs = settings.timeoutMs ?? PUBLISHED_WEBHOOK_TIMEOUT_MS;
  const log = (line: string) => output?.log(line);
  const agent = new Agent({ connect: { timeout: timeoutMs } });
  const events: RunEvents = {
    created: orderCreatedEvent(eventId(), new Date().toISOString()),
    fresh: (type) => {
      const event = orderCreatedEvent(eventId(), new Date().toISOString());
      return type === undefined ? event : { ...event, type, data: { orderId: PUBLISHED_ORDER_ID, status: 'returned' } };
    },
  };
  let passed = 0;
  let failed = 0;
  try {
    for (const check of RECEIVER_CHECKS) {
      const { event, signature } = check.post(events);
      const body = JSON.stringify(event);
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'nimbus-sandbox check-receiver' };
      if (signature !== 'none') headers[SIGNATURE_HEADER] = webhookSignature(body, signature === 'right' ? secret : `${secret}-not-it`);
      const reaction = await post(url, body, headers, secret, timeoutMs, agent);
      const problem = check.judge(reaction, timeoutMs);
      if (problem === undefined) passed++;
      else failed++;
      log(problem === undefined ? `pass  ${check.name}: ${describeReaction(reaction)}` : `FAIL  ${check.name}: ${problem}\n      got: ${describeReaction(reaction)}`);
    }
  } catch (error) {
    if (!(error instanceof ReceiverUnreachable)) throw error;
    const problem = `cannot reach the receiver at ${url} (${error.message}): start it, or check the URL, then run this again`;
    return { passed, failed, problem, exitCode: 2 };
  } finally {
    await agent.destroy();
  }
  log(`${passed} passed, ${failed} failed`);
  return { passed, failed, exitCode: failed > 0 ? 1 : 0 };
}

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from '../kit/client.ts';
import type { CurlRequest } from '../kit/curl.ts';
import { ContractViolation, TargetUnreachable } from '../kit/exchange.ts';
import { freshIdempotencyKey, freshKey } from '../kit/keys.ts';
import { printable } from '../kit/printable.ts';
import { findOperation, resolveRef, validatorFor, type Json, type Operation } from '../kit/spec.ts';
import { networkTarget, type Target } from '../kit/target.ts';
import { AllowList, AllowListError, parseAllowList, type AllowEntry } from './allow-list.ts';
import { Comparer, type Difference } from './compare.ts';
import { describeOutcome, describeSummary, writeReplayJUnit } from './replay-report.ts';
import { ReplayOptionError, validateReplaySettings, type ReplaySettings } from './replay-options.ts';
import { planKeys, type KeyPlan } from './key-plan.ts';
import { isSandboxHelper, SandboxHelpers } from './sandbox-helpers.ts';
import { ReplayStopped, stoppedBy } from './stopped.ts';
import { parseTranscript, TranscriptError, type Transcript } from './transcript-reader.ts';
import type { RecordedExchange } from './transcript.ts';

/**
 * `replay`: sends a transcript's requests to a target in order and compares each answer with the
 * recorded one (compare.ts), what `nimbus-sandbox replay` runs.
 */

export interface ReplayOutput {
  /** The plan, each skip and difference, unused allow entries, the summary. */
  log(line: string): void;
  /** Why the replay stopped (exit code 2). */
  error(line: string): void;
}

export interface ReplayOptions extends ReplaySettings {
  /** Instead of `targetUrl`: the target itself, such as an in-process server's `fetch`. */
  target?: Target;
  /** Instead of `transcriptFile`: the transcript's text. */
  transcriptText?: string;
  /** Instead of `allowFile`: the allow list's text. */
  allowText?: string;
  /** Default: console. */
  output?: ReplayOutput;
}

export interface FoundDifference extends Difference {
  /** The allow entry that accepts it. */
  allowedBy?: AllowEntry;
}

export interface ExchangeOutcome {
  position: number;
  method: string;
  /** The recorded path and query. */
  path: string;
  /** The operationId, or `METHOD /path` for a request that is no operation of the spec. */
  operation: string;
  status: 'same' | 'differs' | 'allowed' | 'skipped';
  differences: FoundDifference[];
  /** Why it was skipped. */
  reason?: string;
  /** The request as sent to the target. */
  request?: CurlRequest;
  durationMs: number;
}

export interface ReplayCounts {
  exchanges: number;
  same: number;
  /** Exchanges with a difference, allowed or not. */
  differ: number;
  /** Of those, exchanges whose every difference the allow list accepts. */
  allowed: number;
  skipped: number;
}

export interface ReplayResult extends ReplayCounts {
  outcomes: ExchangeOutcome[];
  unusedAllowEntries: AllowEntry[];
  /** Why the replay exits 2: an unreadable transcript or allow list, an unreachable target, a refused key. */
  problem?: string;
  /** 0 no difference outside the allow list; 1 one; 2 `problem`. */
  exitCode: 0 | 1 | 2;
}

const RUN_OPTIONS = ['target', 'transcriptText', 'allowText', 'output'];

function load<T>(what: string, file: string | undefined, text: string | undefined, parse: (text: string) => T): T {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(file!, 'utf8');
    } catch (error) {
      throw new ReplayStopped(`cannot read the ${what} ${file}: ${(error as Error).message}`);
    }
  }
  try {
    // Editors on Windows start a UTF-8 file with a byte order mark; JSON.parse takes it for a character.
    return parse(source.replace(/^\uFEFF/, ''));
  } catch (error) {
    if (error instanceof TranscriptError || error instanceof AllowListError) throw new ReplayStopped(`the ${what}${file === undefined ? '' : ` ${file}`} is invalid at ${error.message}`);
    throw error;
  }
}

const idempotencyKeyValid = validatorFor(resolveRef<{ schema: Json }>({ $ref: '#/components/parameters/IdempotencyKey' }).schema);

/** Sends the transcript's requests to the target in order and compares the answers. Throws a ReplayOptionError for a bad option. */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  validateReplaySettings(options as Record<string, unknown>, RUN_OPTIONS);
  const sink = options.output ?? console;
  // Lines carry what the target said: printed only once made safe.
  const output: ReplayOutput = { log: (line) => sink.log(printable(line)), error: (line) => sink.error(printable(line)) };
  const outcomes: ExchangeOutcome[] = [];
  const timestamp = new Date();
  const started = performance.now();
  let allowList = new AllowList();
  let problem: string | undefined;
  let target: Target | undefined;
  try {
    if ((options.targetUrl === undefined) === (options.target === undefined)) throw new ReplayOptionError('replay needs the target: targetUrl (--target URL) or target, one of them');
    if ((options.transcriptFile === undefined) === (options.transcriptText === undefined)) throw new ReplayOptionError('replay needs the transcript: transcriptFile or transcriptText, one of them');
    target = {
      ...(options.target ?? networkTarget(options.targetUrl!)),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    };
    const transcript = load('transcript', options.transcriptFile, options.transcriptText, parseTranscript);
    if (options.allowFile !== undefined || options.allowText !== undefined) allowList = new AllowList(load('allow list', options.allowFile, options.allowText, parseAllowList));
    output.log(`Replaying ${transcript.exchanges.length} exchanges recorded ${transcript.header.recordedAt} from ${transcript.header.upstream} against ${target.baseUrl}`);
    await replayExchanges(target, transcript, allowList, output, outcomes);
  } catch (error) {
    // The probes of the target's keys and helpers meet the same network as the exchanges.
    if (error instanceof TargetUnreachable && target !== undefined) problem = stoppedBy(target, error).message;
    else if (error instanceof ContractViolation) problem = `the target's answer to a probe of what it offers cannot be used: ${error.rule}`;
    else if (error instanceof ReplayStopped) problem = error.message;
    else throw error;
  }
  const counts = countOutcomes(outcomes);
  const unusedAllowEntries = allowList.unused();
  for (const entry of unusedAllowEntries) output.log(`unused allow entry (line ${entry.line}): ${entry.operation} ${entry.path}${entry.position === undefined ? '' : ` at #${entry.position}`}: no such difference in this replay; remove it once the drift is gone`);
  if (problem === undefined) output.log(describeSummary(counts));
  else output.error(problem);
  if (options.junitFile !== undefined) {
    const unwritten = writeReplayJUnit(options.junitFile, {
      suite: `nimbus-sandbox replay ${target?.baseUrl ?? ''}`.trim(), outcomes, ...(problem === undefined ? {} : { stopped: problem }), timestamp, durationMs: performance.now() - started,
    });
    if (unwritten !== undefined) {
      output.error(unwritten);
      problem ??= unwritten;
    }
  }
  const failed = outcomes.some((outcome) => outcome.status === 'differs');
  return { outcomes, ...counts, unusedAllowEntries, ...(problem === undefined ? {} : { problem }), exitCode: problem !== undefined ? 2 : failed ? 1 : 0 };
}

function countOutcomes(outcomes: readonly ExchangeOutcome[]): ReplayCounts {
  const count = (status: ExchangeOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  return { exchanges: outcomes.length, same: count('same'), differ: count('differs') + count('allowed'), allowed: count('allowed'), skipped: count('skipped') };
}

const recordedPath = (exchange: RecordedExchange) => `${exchange.request.path}${exchange.request.query === '' ? '' : `?${exchange.request.query}`}`;

async function replayExchanges(target: Target, transcript: Transcript, allowList: AllowList, output: ReplayOutput, outcomes: ExchangeOutcome[]): Promise<void> {
  const keys = await planKeys(target, transcript, output.log);
  const helpers = new SandboxHelpers(target, target.apiKey ?? freshKey());
  const comparer = new Comparer();
  const idempotencyKeys = new Map<string, string>();
  for (const exchange of transcript.exchanges) {
    const op = findOperation(exchange.request.method, exchange.request.path);
    const base = {
      position: exchange.position, method: exchange.request.method, path: recordedPath(exchange),
      operation: op?.id ?? `${exchange.request.method} ${exchange.request.path}`, differences: [], durationMs: 0,
    };
    const skip = (reason: string) => {
      const outcome: ExchangeOutcome = { ...base, status: 'skipped', reason };
      outcomes.push(outcome);
      output.log(describeOutcome(outcome));
    };
    if (exchange.response === undefined) {
      skip(`the upstream gave no answer when it was recorded (${exchange.failure ?? 'no reason given'})`);
      continue;
    }
    if ((exchange.request.method === 'GET' || exchange.request.method === 'HEAD') && exchange.request.body !== undefined) {
      skip(`a ${exchange.request.method} with a body was recorded, which fetch cannot send`);
      continue;
    }
    if (isSandboxHelper(op)) {
      const offer = await helpers.offers(op!);
      if (!offer.offered) {
        skip(`the target does not offer ${offer.helper} (${offer.evidence})`);
        continue;
      }
    }
    const outcome = await replayOne(target, exchange, op, { comparer, keys, idempotencyKeys, allowList }, base);
    outcomes.push(outcome);
    if (outcome.status !== 'same') output.log(describeOutcome(outcome));
  }
}

interface ReplayState {
  comparer: Comparer;
  keys: KeyPlan;
  idempotencyKeys: Map<string, string>;
  allowList: AllowList;
}

async function replayOne(target: Target, exchange: RecordedExchange, op: Operation | undefined, state: ReplayState, base: Omit<ExchangeOutcome, 'status'>): Promise<ExchangeOutcome> {
  const { comparer, keys, idempotencyKeys, allowList } = state;
  const { request } = exchange;
  const ids = comparer.ids;
  ids.noteSent([request.path, request.query, request.body ?? ''].join('\n'));
  const path = ids.substitute(request.path);
  const query = ids.substituteQuery(request.query);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'idempotency-key' && keys.shared && idempotencyKeyValid(value)) {
      // One tenant for every replay: a key used by an earlier replay would answer with its stored answer.
      if (!idempotencyKeys.has(value)) idempotencyKeys.set(value, freshIdempotencyKey());
      headers[name] = idempotencyKeys.get(value)!;
    } else {
      headers[name] = ids.substitute(value);
    }
  }
  const body = request.body === undefined ? undefined : ids.substitute(request.body);
  const apiKey = exchange.key === null ? undefined : keys.keyFor(exchange.key);
  const client = new Client(target, apiKey);
  const sentAt = Date.now();
  const started = performance.now();
  let answer;
  try {
    answer = await client.send({ method: request.method as 'GET', path: query === '' ? path : `${path}?${query}`, headers, ...(body === undefined ? {} : { body }) },
      // A replay sends faster than the suite that was recorded: a rate limit the recording did not meet is waited out.
      { conformance: false, waitOutRateLimit: exchange.response!.status !== 429 });
  } catch (error) {
    if (error instanceof TargetUnreachable) throw stoppedBy(target, error);
    if (error instanceof ContractViolation) throw new ReplayStopped(`#${exchange.position} ${request.method} ${request.path}: ${error.rule}`);
    throw error;
  }
  const differences: FoundDifference[] = comparer.compare({
    operation: op, recorded: exchange.response!, got: answer, at: { recorded: Date.parse(exchange.startedAt), replayed: sentAt },
  }).map((difference) => {
    const allowedBy = allowList.allows({ operation: base.operation, position: exchange.position, path: difference.path });
    return allowedBy === undefined ? difference : { ...difference, allowedBy };
  });
  const status = differences.length === 0 ? 'same' : differences.every((difference) => difference.allowedBy !== undefined) ? 'allowed' : 'differs';
  return { ...base, status, differences, request: answer.request, durationMs: performance.now() - started };
}

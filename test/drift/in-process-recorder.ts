import { documentedResponse, findOperation, spec } from '../../contract-tests/kit/spec.ts';
import type { FetchFn } from '../../contract-tests/kit/target.ts';
import { TRANSCRIPT_VERSION, type RecordedExchange, type TranscriptHeader } from '../../contract-tests/drift/transcript.ts';

/**
 * A stand-in for `nimbus-sandbox record` in tests: wraps a fetch (an in-process sandbox's) and
 * writes each exchange in the transcript format, keys as `key#N` and webhook secrets as
 * `secret#N`, only the published headers kept.
 */

const REQUEST_HEADERS = new Set([
  'content-type', 'accept',
  ...Object.values((spec as unknown as { components: { parameters: Record<string, { in: string; name: string }> } }).components.parameters)
    .filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name.toLowerCase()),
]);
const KEPT_ANSWER_HEADERS = ['content-type', 'location', 'allow', 'x-request-id'];
const SECRET = /whsec_[A-Za-z0-9]+/g;

export class InProcessRecorder {
  readonly exchanges: RecordedExchange[] = [];
  private readonly keys = new Map<string, string>();
  private readonly secrets = new Map<string, string>();

  constructor(private readonly inner: FetchFn) {}

  private alias(aliases: Map<string, string>, kind: string, value: string): string {
    if (!aliases.has(value)) aliases.set(value, `${kind}#${aliases.size + 1}`);
    return aliases.get(value)!;
  }

  private hideSecrets(text: string): string {
    return text.replace(SECRET, (secret) => this.alias(this.secrets, 'secret', secret));
  }

  readonly fetch: FetchFn = async (request) => {
    const url = new URL(request.url);
    const startedAt = new Date().toISOString();
    const requestBody = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    const response = await this.inner(request);
    const text = await response.clone().text();
    const key = request.headers.get('x-api-key');
    const op = findOperation(request.method, url.pathname);
    const published = op === undefined ? [] : Object.keys(documentedResponse(op, response.status)?.headers ?? {}).map((name) => name.toLowerCase());
    const answerHeaders = Object.fromEntries([...response.headers].filter(([name]) => published.includes(name) || KEPT_ANSWER_HEADERS.includes(name)));
    this.exchanges.push({
      kind: 'exchange', position: this.exchanges.length + 1, key: key === null ? null : this.alias(this.keys, 'key', key), startedAt, durationMs: 1,
      request: {
        method: request.method, path: url.pathname, query: url.search.replace(/^\?/, ''),
        headers: Object.fromEntries([...request.headers].filter(([name]) => REQUEST_HEADERS.has(name))),
        ...(requestBody === '' ? {} : { body: this.hideSecrets(requestBody) }),
      },
      response: { status: response.status, headers: answerHeaders, ...(text === '' ? {} : { body: this.hideSecrets(text) }) },
      departures: [],
    });
    return response;
  };

  transcript(): string {
    const header: TranscriptHeader = { kind: 'transcript', version: TRANSCRIPT_VERSION, recordedAt: new Date().toISOString(), upstream: 'http://upstream.test', recorder: 'in-process test recorder' };
    return [header, ...this.exchanges].map((line) => JSON.stringify(line)).join('\n') + '\n';
  }
}

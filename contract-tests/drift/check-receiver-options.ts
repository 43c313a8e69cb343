import { httpUrl, milliseconds, nonEmptyText, optionTable, UsageError, wholeNumber, withoutCredentials, type CommandLine, type OptionRows } from '../kit/option-table.ts';
import { spec } from '../kit/spec.ts';

/** `nimbus-sandbox check-receiver`'s settings, in one table (kit/option-table.ts): the URL, flags, environment variables, --help and `checkReceiver`'s validation. */

export interface CheckReceiverSettings {
  /** The integrator's webhook receiver, such as `https://example.com/webhooks/nimbus`. */
  url?: string;
  /** The secret the receiver verifies signatures with; never printed. */
  secret?: string;
  /** How long the receiver may take to answer (ms). Default: the published webhook timeout. */
  timeoutMs?: number;
}

/** The published time a receiver has to acknowledge an event: "Any 2xx within N seconds" on order.created. */
export const PUBLISHED_WEBHOOK_TIMEOUT_MS = (() => {
  const webhooks = (spec as unknown as { webhooks?: Record<string, { post?: { responses?: Record<string, { description?: string }> } }> }).webhooks;
  const acknowledged = Object.values(webhooks?.['order.created']?.post?.responses ?? {}).map((response) => /within (\d+) seconds/.exec(response.description ?? '')).find(Boolean);
  if (acknowledged == null) throw new Error('spec: the order.created webhook does not say within how many seconds a 2xx acknowledges it');
  return Number(acknowledged[1]) * 1000;
})();

/** Nimbus refuses webhook URLs with credentials (the spec's WebhookEndpoint.url), so a receiver behind one is never posted to. Said without echoing them. */
function credentialsProblem(url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return undefined;
  return `must be a URL without credentials (user:password@), as Nimbus refuses such webhook URLs, not ${withoutCredentials(url)}`;
}

const ROWS: OptionRows<CheckReceiverSettings> = {
  url: {
    flag: 'url', value: 'URL',
    help: [],
    check: (value) => (typeof value === 'string' && URL.canParse(value) ? credentialsProblem(value) : undefined) ?? httpUrl('https://example.com/webhooks/nimbus')(value),
  },
  secret: {
    flag: 'secret', env: 'NIMBUS_WEBHOOK_SECRET', value: 'SECRET', untrimmed: true,
    help: ['The secret your receiver verifies X-Webhook-Signature with (whsec_…).', 'Required; never printed'],
    check: nonEmptyText,
  },
  timeoutMs: {
    flag: 'timeout', value: 'MS',
    help: [`How long the receiver may take to answer (default: ${PUBLISHED_WEBHOOK_TIMEOUT_MS}, the published`, 'webhook timeout; Nimbus retries an event answered later)'],
    parse: wholeNumber,
    check: milliseconds(1),
  },
};

export const CHECK_RECEIVER_OPTIONS = optionTable(ROWS, UsageError, 'url');

/** `nimbus-sandbox check-receiver`'s arguments (after `check-receiver`). */
export function parseCheckReceiverCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine<CheckReceiverSettings> {
  const commandLine = CHECK_RECEIVER_OPTIONS.parse(argv, env);
  if (commandLine.help) return commandLine;
  if (commandLine.url === undefined) throw new UsageError('the receiver\'s URL is needed: nimbus-sandbox check-receiver URL --secret SECRET');
  if (commandLine.secret === undefined) throw new UsageError('--secret is needed (or NIMBUS_WEBHOOK_SECRET): the secret your receiver verifies signatures with');
  return commandLine;
}

export function checkReceiverHelpText(): string {
  return [
    'Usage: nimbus-sandbox check-receiver URL --secret SECRET [options]',
    '',
    'Checks your webhook receiver the way Nimbus treats it: a signed order.created must be acknowledged',
    'with a 2xx in time; the same event again too (receivers dedupe, they do not fail); an event with a',
    'wrong signature and one with none must be refused with a 4xx; an event of a type the receiver does',
    'not know must not cause a 5xx. One line per check, then "N passed, N failed".',
    '',
    'Options:',
    ...CHECK_RECEIVER_OPTIONS.helpLines(),
    '',
    'Exit codes: 0 every check passed; 1 a check failed; 2 a usage error, or the receiver cannot be reached.',
  ].join('\n');
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { orderCreatedEvent, RECEIVER_CHECKS, UNKNOWN_EVENT_TYPE } from '../../contract-tests/drift/check-receiver.ts';
import { PUBLISHED_WEBHOOK_TIMEOUT_MS } from '../../contract-tests/drift/check-receiver-options.ts';
import { webhookSignature } from '../../contract-tests/kit/signature.ts';
import { componentSchema, validatorFor } from '../../contract-tests/kit/spec.ts';
import { eventSchema } from '../../contract-tests/kit/webhooks.ts';
import { checkReceiverCommand } from '../../src/check-receiver-command.ts';
import { signWebhook, verifyWebhookSignature } from '../../src/webhooks/signature.ts';

const SECRET = 'whsec_checkReceiverTest42';

/** What a receiver under test does with a post: a status, or no answer at all. */
type Behaviour = (event: { id: string; type: string }, signed: boolean) => number | 'hang';

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
});

async function receiver(behaviour: Behaviour, echo = ''): Promise<string> {
  const server = createServer(async (incoming: IncomingMessage, outgoing) => {
    let body = '';
    for await (const chunk of incoming) body += chunk;
    // The sandbox's own verification: the kit must sign the way the sandbox does.
    const signed = verifyWebhookSignature(body, incoming.headers['x-webhook-signature'] as string | undefined, SECRET);
    const status = behaviour(JSON.parse(body), signed);
    if (status !== 'hang') outgoing.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${status < 300 ? 'ok' : 'no'}${echo}`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/nimbus`;
}

/** A receiver that does it right: verifies, dedupes by event id, ignores types it does not know. */
function careful(overrides: { duplicate?: number; unknownType?: number; unsigned?: number } = {}): Behaviour {
  const seen = new Set<string>();
  return (event, signed) => {
    if (!signed) return overrides.unsigned ?? 401;
    if (seen.has(event.id)) return overrides.duplicate ?? 200;
    seen.add(event.id);
    return event.type === 'order.created' ? 200 : overrides.unknownType ?? 200;
  };
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = { out: '', err: '', stdout: (text: string) => { io.out += text; }, stderr: (text: string) => { io.err += text; } };
  const code = await checkReceiverCommand(argv, env, io);
  expect(io.out + io.err).not.toContain(SECRET);
  return { code, out: io.out, err: io.err, verdicts: io.out.split('\n').filter((line) => /^(pass|FAIL) /.test(line)).map((line) => line.slice(0, 4)) };
}

const ALL_PASS = ['pass', 'pass', 'pass', 'pass', 'pass'];

describe('nimbus-sandbox check-receiver', () => {
  test('a careful receiver passes every check: exit 0', async () => {
    const result = await run([await receiver(careful()), '--secret', SECRET]);
    expect(result.verdicts).toEqual(ALL_PASS);
    expect(result.out.trimEnd().split('\n').at(-1)).toBe('5 passed, 0 failed');
    expect(result.out).toMatch(/^pass {2}a signed order\.created is acknowledged with a 2xx: HTTP 200 in \d+ ms "ok"$/m);
    expect(result).toMatchObject({ code: 0, err: '' });
  });

  test('a receiver that accepts bad signatures fails the two refusal checks, and never shows the secret it echoes', async () => {
    const result = await run([await receiver(careful({ unsigned: 200 }), ` ${SECRET}`), '--secret', SECRET]);
    expect(result.verdicts).toEqual(['pass', 'pass', 'FAIL', 'FAIL', 'pass']);
    expect(result.out).toContain('FAIL  an event with a wrong signature is refused with a 4xx: it accepted a forged event (HTTP 200): verify X-Webhook-Signature over the raw body before acting');
    expect(result.out).toContain('      got: HTTP 200 in');
    expect(result.out).toContain('"ok <secret>"');
    expect(result.out.trimEnd().split('\n').at(-1)).toBe('3 passed, 2 failed');
    expect(result.code).toBe(1);
  });

  test('a receiver that fails duplicates fails the repeat check only', async () => {
    const result = await run([await receiver(careful({ duplicate: 500 })), '--secret', SECRET]);
    expect(result.verdicts).toEqual(['pass', 'FAIL', 'pass', 'pass', 'pass']);
    expect(result.out).toMatch(/^FAIL {2}the same event again \(same id\) is acknowledged too: receivers dedupe, they do not fail: it answered HTTP 500; Nimbus needs a 2xx within 10 s, else it retries the event$/m);
    expect(result.code).toBe(1);
  });

  test('a receiver that 500s on an unknown type fails that check only', async () => {
    const result = await run([await receiver(careful({ unknownType: 500 })), '--secret', SECRET]);
    expect(result.verdicts).toEqual(['pass', 'pass', 'pass', 'pass', 'FAIL']);
    expect(result.out).toContain(`FAIL  an event of a type it does not know (${UNKNOWN_EVENT_TYPE}) does not cause a 5xx: it answered HTTP 500`);
    expect(result.code).toBe(1);
  });

  test('a receiver that redirects fails every check as a redirect, not as one that accepts forged events', async () => {
    const server = createServer((incoming, outgoing) => {
      incoming.resume();
      incoming.on('end', () => outgoing.writeHead(308, { Location: 'https://hooks.example.com/nimbus' }).end());
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await run([`http://127.0.0.1:${(server.address() as AddressInfo).port}/nimbus`, '--secret', SECRET]);
    expect(result.verdicts).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL', 'FAIL']);
    const failures = result.out.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failures.filter((line) => line.endsWith(': it answered HTTP 308, a redirect to https://hooks.example.com/nimbus; Nimbus does not follow redirects, so every event fails there: give it the URL your receiver answers at'))).toHaveLength(5);
    expect(result.code).toBe(1);
  });

  test('a receiver that hangs fails every check once --timeout passes', async () => {
    const result = await run([await receiver(() => 'hang'), '--secret', SECRET, '--timeout', '100']);
    expect(result.verdicts).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL', 'FAIL']);
    expect(result.out).toContain('FAIL  a signed order.created is acknowledged with a 2xx: no answer within 100 ms; Nimbus counts that as a failed delivery and retries');
    expect(result.code).toBe(1);
  });

  test('a receiver that sends its status but never ends its body: not acknowledged, and said so, not as no answer', async () => {
    const server = createServer((incoming, outgoing) => {
      incoming.resume();
      incoming.on('end', () => outgoing.writeHead(200, { 'Content-Type': 'text/plain' }).write('o'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await run([`http://127.0.0.1:${(server.address() as AddressInfo).port}/nimbus`, '--secret', SECRET, '--timeout', '100']);
    expect(result.out).toContain('FAIL  a signed order.created is acknowledged with a 2xx: it answered HTTP 200 but did not finish its body within 100 ms; Nimbus counts that as a failed delivery and retries');
    expect(result.code).toBe(1);
  });

  test('a receiver that cannot be reached: exit 2, saying what to do, no check line', async () => {
    const url = await receiver(careful());
    const closing = servers.pop()!;
    await new Promise((resolve) => closing.close(resolve));
    const result = await run([url, '--secret', SECRET]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`^nimbus-sandbox check-receiver: cannot reach the receiver at ${url.replace(/[.]/g, '\\.')} \\(.*ECONNREFUSED.*\\): start it, or check the URL, then run this again\\n$`));
  });

  test.each([
    [['--secret', SECRET], /the receiver's URL is needed/],
    [['http://127.0.0.1:1/'], /--secret is needed \(or NIMBUS_WEBHOOK_SECRET\)/],
    [['ftp://x/', '--secret', SECRET], /URL must be an http:\/\/ or https:\/\/ URL/],
    [['http://hook:s3cret-pass@127.0.0.1:1/nimbus', '--secret', SECRET], /^nimbus-sandbox check-receiver: URL must be a URL without credentials \(user:password@\), as Nimbus refuses such webhook URLs, not http:\/\/…@127\.0\.0\.1:1\/nimbus\n/],
    [['http://127.0.0.1:1/', '--secret', SECRET, '--timeout', '0'], /--timeout must be a whole number of ms from 1/],
    [['http://127.0.0.1:1/', 'http://127.0.0.1:2/', '--secret', SECRET], /"http:\/\/127\.0\.0\.1:2\/" is not an option/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
    expect(result.err).not.toContain('s3cret-pass');
  });

  test('NIMBUS_WEBHOOK_SECRET gives the secret; --help names it and the exit codes', async () => {
    expect((await run([await receiver(careful())], { NIMBUS_WEBHOOK_SECRET: SECRET })).code).toBe(0);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--secret SECRET');
    expect(help.out).toContain('(environment: NIMBUS_WEBHOOK_SECRET)');
    expect(help.out).toContain(`default: ${PUBLISHED_WEBHOOK_TIMEOUT_MS}`);
  });

  test('what it posts is what Nimbus posts: the spec\'s order.created schema, the sandbox\'s signature, the published timeout', () => {
    const event = orderCreatedEvent('evt_abc123', '2026-01-15T10:30:00.000Z');
    const validate = validatorFor(eventSchema('order.created'));
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    const body = JSON.stringify(event);
    expect(webhookSignature(body, SECRET)).toBe(signWebhook(body, SECRET));
    expect((componentSchema('WebhookEventType').enum as string[])).not.toContain(UNKNOWN_EVENT_TYPE);
    expect(PUBLISHED_WEBHOOK_TIMEOUT_MS).toBe(10_000);
    expect(RECEIVER_CHECKS).toHaveLength(5);
  });
});

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { coverageCommand } from './coverage-command.ts';
import { helpText } from './options.ts';
import { createSandbox } from './sandbox.ts';

async function command(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await coverageCommand(argv, env, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } });
  return { code, stdout, stderr };
}

const temp = mkdtempSync(join(tmpdir(), 'nimbus-coverage-command-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A loopback server answering every request with `status` and `body`, keeping the headers it was sent. */
async function fakeTarget(status: number, body: string): Promise<{ url: string; requests: IncomingHttpHeaders[]; server: Server }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    requests.push({ ...request.headers, path: request.url });
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests, server };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});
async function target(status: number, body: unknown) {
  const fake = await fakeTarget(status, typeof body === 'string' ? body : JSON.stringify(body));
  servers.push(fake.server);
  return fake;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const KEY = 'sk_test_coverage_secret';

const REPORT = {
  summary: { seen: 3, total: 7 },
  responses: [
    { operationId: 'createOrder', status: 201, count: 2, replayed: 1, hint: 'A valid body' },
    { operationId: 'createOrder', status: 409, code: 'idempotency_key_conflict', count: 0, replayed: 0, hint: 'Send an Idempotency-Key again with another body' },
    { operationId: 'getOrder', status: 404, code: 'not_found', count: 0, replayed: 0, hint: 'Read an order id the key does not have' },
  ],
  statuses: [{ kind: 'order', status: 'pending', count: 2 }],
  events: [{ type: 'order.fulfilled', count: 0, acknowledged: 0, retried: 0 }, { type: 'order.created', count: 2, acknowledged: 2, retried: 1 }],
  magicValues: [],
  faults: [{ kind: '500', count: 0 }],
};

describe('nimbus-sandbox coverage, against a sandbox after a key created an order, was refused one and read it', () => {
  const sandbox = createSandbox();
  let server: Server;
  let baseUrl: string;
  const KEY_HEADERS = { 'X-API-Key': KEY, 'Content-Type': 'application/json' };
  const ORDER = { patientId: 'pat_1234567890', prescriptionId: 'rx_9876543210', shippingAddress: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } };

  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const started = serve({ fetch: sandbox.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server)) as Server;
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const created = await fetch(`${baseUrl}/orders`, { method: 'POST', headers: KEY_HEADERS, body: JSON.stringify(ORDER) });
    expect(created.status).toBe(201);
    const refused = await fetch(`${baseUrl}/orders`, { method: 'POST', headers: KEY_HEADERS, body: JSON.stringify({ ...ORDER, patientId: 'nobody' }) });
    expect(refused.status).toBe(422);
    const { id } = await created.json() as { id: string };
    expect((await fetch(`${baseUrl}/orders/${id}`, { headers: KEY_HEADERS })).status).toBe(200);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sandbox.close();
  });

  test('--fail-under 100: exit code 1, naming what was never met, createOrder 409 idempotency_key_conflict and order.fulfilled among it', async () => {
    const { code, stdout, stderr } = await command(['--base-url', baseUrl, '--api-key', KEY, '--fail-under', '100']);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const [unmet, met] = stdout.split('\nMet (');
    expect(unmet).toMatch(/^Never met \(\d+ of \d+\):\n {2}Responses\n {4}createOrder\n(?: {6}.*\n)*? {6}409 idempotency_key_conflict: the key was used with a different request\n/);
    expect(unmet).toMatch(/\n {2}Webhook events\n(?: {4}.*\n)*? {4}order\.fulfilled: Register an endpoint .* whose events include order\.fulfilled, then: An order shipped\n/);
    expect(met).toMatch(/\n {4}createOrder\n {6}201: 1 time\n {6}422 validation_error: 1 time\n {4}getOrder\n {6}200: 1 time\n/);
    expect(met).toMatch(/\n {2}Statuses\n {4}order\n {6}pending: 1 time\n/);
    expect(stdout).toMatch(/\nCoverage: 4 of \d+ \(\d+\.\d%\)\nUnder --fail-under 100%: the possibilities never met are listed first\.\n$/);
    expect(stdout).not.toContain(KEY);
  });

  test('--fail-under 0: exit code 0', async () => {
    expect((await command(['--base-url', baseUrl, '--api-key', KEY, '--fail-under', '0'])).code).toBe(0);
  });

  test('--json: stdout parses and is the endpoint\'s answer', async () => {
    const { code, stdout } = await command(['--base-url', baseUrl, '--api-key', KEY, '--json']);
    expect(code).toBe(0);
    const endpoint = await (await fetch(`${baseUrl}/sandbox/coverage`, { headers: { 'X-API-Key': KEY } })).json();
    expect(JSON.parse(stdout)).toEqual(endpoint);
  });

  test('after five days with an endpoint registered, order.fulfilled is met, acknowledged', async () => {
    const receiver = createServer((request, response) => { request.resume(); request.on('end', () => response.end('ok')); });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    servers.push(receiver);
    const endpoint = { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks` };
    expect((await fetch(`${baseUrl}/sandbox/webhook-endpoints`, { method: 'POST', headers: KEY_HEADERS, body: JSON.stringify(endpoint) })).status).toBe(201);
    expect((await fetch(`${baseUrl}/sandbox/clock/advance`, { method: 'POST', headers: KEY_HEADERS, body: JSON.stringify({ seconds: 5 * 86_400 }) })).status).toBe(200);
    await expect.poll(async () => (await command(['--base-url', baseUrl, '--api-key', KEY])).stdout, { timeout: 5000 })
      .toMatch(/\nMet \(\d+ of \d+\):\n(?:.*\n)* {2}Webhook events\n(?: {4}.*\n)*? {4}order\.fulfilled: 1 time \(1 acknowledged\)\n/);
  });

  test('another key\'s coverage: nothing met yet', async () => {
    const { code, stdout } = await command(['--base-url', baseUrl, '--api-key', 'sk_test_other']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nMet \(0 of \d+\):\n {2}nothing yet: run your tests against this sandbox with this key first\n\nCoverage: 0 of \d+ \(0\.0%\)\n$/);
  });
});

describe('nimbus-sandbox coverage, against a target that answers a report', () => {
  test('prints what was never met first, grouped, with hints; then what was met with counts; then the share', async () => {
    const { url, requests } = await target(200, REPORT);
    const { code, stdout, stderr } = await command(['--base-url', url, '--api-key', KEY]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe([
      'Never met (4 of 7):',
      '  Responses',
      '    createOrder',
      '      409 idempotency_key_conflict: Send an Idempotency-Key again with another body',
      '    getOrder',
      '      404 not_found: Read an order id the key does not have',
      '  Webhook events',
      '    order.fulfilled',
      '  Faults',
      '    500',
      '',
      'Met (3 of 7):',
      '  Responses',
      '    createOrder',
      '      201: 2 times (1 replayed)',
      '  Statuses',
      '    order',
      '      pending: 2 times',
      '  Webhook events',
      '    order.created: 2 times (2 acknowledged, 1 retried)',
      '',
      'Coverage: 3 of 7 (42.9%)',
      '',
    ].join('\n'));
    expect(requests).toEqual([expect.objectContaining({ path: '/sandbox/coverage', 'x-api-key': KEY })]);
  });

  test('--fail-under: exit code 1 under it, saying so; 0 at or over it', async () => {
    const { url } = await target(200, REPORT);
    const under = await command(['--base-url', `${url}/`, '--api-key', KEY, '--fail-under', '42.9']);
    expect(under.code).toBe(1);
    expect(under.stdout).toMatch(/\nCoverage: 3 of 7 \(42\.9%\)\nUnder --fail-under 42\.9%: the possibilities never met are listed first\.\n$/);
    expect((await command(['--base-url', url, '--api-key', KEY, '--fail-under', '42.85'])).code).toBe(0);
    expect((await command(['--base-url', url, '--api-key', KEY, '--fail-under=0'])).code).toBe(0);
  });

  test('--json prints the answer as it came, and nothing else on stdout; the exit code still follows --fail-under', async () => {
    const body = `${JSON.stringify(REPORT, null, 1)}\n`;
    const { url } = await target(200, body);
    const { code, stdout, stderr } = await command(['--json', '--fail-under', '100'], { NIMBUS_BASE_URL: url, NIMBUS_API_KEY: KEY });
    expect(code).toBe(1);
    expect(stdout).toBe(body);
    expect(stderr).toBe('nimbus-sandbox coverage: Under --fail-under 100%: Coverage: 3 of 7 (42.9%).\n');
  });

  test('--junit: one testcase per possibility, failed with its hint when never met', async () => {
    const { url } = await target(200, REPORT);
    const file = join(temp, 'nested', 'coverage.xml');
    expect((await command(['--base-url', url, '--api-key', KEY, '--junit', file])).code).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect([...xml.matchAll(/<testcase classname="(\w+)" name="([^"]+)"/g)].map((match) => `${match[1]} | ${match[2]}`)).toEqual([
      'responses | responses/createOrder 201',
      'responses | responses/createOrder 409 idempotency_key_conflict',
      'responses | responses/getOrder 404 not_found',
      'statuses | statuses/order pending',
      'events | events/order.fulfilled',
      'events | events/order.created',
      'faults | faults/500',
    ]);
    expect(xml).toContain('tests="7" failures="4" errors="0"');
    expect(xml).toContain('<failure message="Never met. Send an Idempotency-Key again with another body" type="NeverMet">');
  });

  test('text from the target is printed with its control characters escaped', async () => {
    const { url } = await target(200, { ...REPORT, faults: [{ kind: '500\u001b[2J', count: 0, hint: 'x\rY' }] });
    const { stdout } = await command(['--base-url', url, '--api-key', KEY]);
    expect(stdout).toContain('    500\\x1b[2J: x\\x0dY\n');
  });
});

describe('nimbus-sandbox coverage, when there is no report to read: one line on stderr, exit code 2, the key never shown', () => {
  test.each([
    [404, { error: { code: 'not_found', message: 'No route GET /sandbox/coverage', requestId: 'req_1' } },
      /^nimbus-sandbox coverage: http:\/\/127\.0\.0\.1:\d+ has no \/sandbox\/coverage \(GET \/sandbox\/coverage answered 404 \(not_found: No route GET \/sandbox\/coverage\)\): it is not a nimbus-sandbox, or one too old to count coverage\. Point --base-url at the nimbus-sandbox your tests ran against, upgraded\.\n$/],
    [401, { error: { code: 'unauthorized', message: 'Invalid or missing API key', requestId: 'req_1' } },
      /^nimbus-sandbox coverage: the target refuses the API key given \(--api-key or NIMBUS_API_KEY\): GET \/sandbox\/coverage answered 401 \(unauthorized: Invalid or missing API key\)\. Pass the key your tests used; a sandbox started with --api-keys takes only those\.\n$/],
    [403, { error: { code: 'forbidden', message: `Key ${KEY} is revoked`, requestId: 'req_1' } },
      /the target refuses the API key given \(--api-key or NIMBUS_API_KEY\): GET \/sandbox\/coverage answered 403 \(forbidden: Key \(the API key\) is revoked\)\./],
    [500, '<html>oops</html>', /^nimbus-sandbox coverage: the target could not give the coverage report: GET \/sandbox\/coverage answered 500\. Try again/],
    [200, { summary: { seen: 1 } }, /is not a coverage report \(no summary with seen and total\): is --base-url a nimbus-sandbox\?\n$/],
    [200, { ...REPORT, faults: undefined }, /is not a coverage report \(no list of faults\)/],
    [200, 'not json', /is not a coverage report \(not a JSON object\)/],
    [200, { ...REPORT, responses: [null] }, /is not a coverage report \(an entry of responses is not an object with a count\)/],
    [200, { ...REPORT, events: [{ type: 'order.created', count: '2' }] }, /is not a coverage report \(an entry of events is not an object with a count\)/],
  ])('the target answers %i %j', async (status, body, message) => {
    const { url } = await target(status, body);
    const { code, stdout, stderr } = await command(['--base-url', url, '--api-key', KEY]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain(KEY);
  });

  test('an answer far longer than a report: not read past 4 MiB', async () => {
    const { url } = await target(200, `[${'0,'.repeat(3 * 1024 * 1024)}0]`);
    const { code, stdout, stderr } = await command(['--base-url', url, '--api-key', KEY]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe('nimbus-sandbox coverage: the answer to GET /sandbox/coverage is over 4 MiB, far more than a coverage report: is --base-url a nimbus-sandbox?\n');
  });

  test('a target that cannot be reached', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await command([], { NIMBUS_BASE_URL: `http://127.0.0.1:${port}`, NIMBUS_API_KEY: KEY });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^nimbus-sandbox coverage: cannot reach the target http://127\\.0\\.0\\.1:${port} \\(fetch failed: .*ECONNREFUSED.*\\): is it running, and is --base-url right\\?\\n$`));
  });

  test('a JUnit file that cannot be written', async () => {
    const { url } = await target(200, REPORT);
    const blocker = join(temp, 'a-file');
    await command(['--base-url', url, '--api-key', KEY, '--junit', blocker]);
    const { code, stdout, stderr } = await command(['--base-url', url, '--api-key', KEY, '--junit', join(blocker, 'x.xml')]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^nimbus-sandbox coverage: cannot write the JUnit file .*a-file\/x\.xml: /);
  });
});

describe('nimbus-sandbox coverage usage', () => {
  test.each([
    [[], {}, '--base-url URL (or NIMBUS_BASE_URL) is needed: the sandbox your tests ran against, such as http://127.0.0.1:4010'],
    [['--base-url', 'http://127.0.0.1:4010'], { NIMBUS_API_KEY: '' }, '--api-key KEY (or NIMBUS_API_KEY) is needed: the key your tests used, as coverage is counted per key'],
    [['--base-url', 'localhost:4010', '--api-key', 'k'], {}, '--base-url must be an http:// or https:// URL, such as http://127.0.0.1:4010, not "localhost:4010"'],
    [['--api-key', 'k'], { NIMBUS_BASE_URL: 'ftp://x' }, 'NIMBUS_BASE_URL must be an http:// or https:// URL'],
    [['--base-url', 'http://me:pa55word@127.0.0.1:4010', '--api-key', 'k'], {}, '--base-url must be a URL without credentials (user:password@), not "http://…@127.0.0.1:4010/"'],
    [['--base-url', 'http://h', '--api-key', 'k', '--fail-under', '101'], {}, '--fail-under must be a number from 0 to 100, not 101'],
    [['--base-url', 'http://h', '--api-key', 'k', '--fail-under', 'most'], {}, '--fail-under must be a number from 0 to 100, not "most"'],
    [['--base-url', 'http://h', '--api-key', 'k', '--fail-under=-5'], {}, '--fail-under must be a number from 0 to 100, not "-5"'],
    [['--base-url', 'http://h', '--api-key'], {}, '--api-key needs a value: --api-key KEY'],
    [['--fail-under', '-5'], {}, '--fail-under needs a value: --fail-under PCT; a value starting with a dash goes after "=": --fail-under=-PCT'],
    [['--fail-undr', '80'], {}, 'unknown option --fail-undr; did you mean --fail-under?'],
    [['--verbose'], {}, 'unknown option --verbose; the options are --base-url, --api-key, --fail-under, --json, --junit, --help'],
    [['http://127.0.0.1:4010'], {}, '"http://127.0.0.1:4010" is not an option; every setting is a --flag'],
  ])('%j with %j: the message and where to look on stderr, exit code 2', async (argv, env, message) => {
    const { code, stdout, stderr } = await command(argv, env);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(`nimbus-sandbox coverage: ${message}`);
    expect(stderr).toMatch(/\nRun nimbus-sandbox coverage --help to see the options\.\n$/);
  });

  test('--help: the usage on stdout, exit code 0, whatever else is given', async () => {
    const { code, stdout } = await command(['--fail-under', '80', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: nimbus-sandbox coverage --base-url URL --api-key KEY \[options\]\n/);
    expect(stdout).toMatch(/^ {2}--fail-under PCT {6}Exit with code 1 when less than PCT percent/m);
  });

  test('nimbus-sandbox --help points to the command', () => {
    expect(helpText()).toMatch(/^ +nimbus-sandbox coverage --help +which answers, statuses and events a key's tests have met/m);
  });
});

#!/usr/bin/env node
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createSandbox } from './sandbox.ts';
import { FixtureError, loadFixtures, type FixtureProblem, type Fixtures } from './fixtures/fixtures.ts';
import { closeGracefully, configureServer, serverOptions } from './http/node-server.ts';
import { helpText, OptionError, parseCommandLine, type CommandLine } from './options.ts';
import { packageVersion } from './package-info.ts';

/** Commands other than serving, each loaded only when run, so the server's start-up does not pay for them. */
const COMMANDS: Record<string, () => Promise<(argv: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>>> = {
  contract: async () => (await import('./contract-command.ts')).contractCommand,
  record: async () => (await import('./record-command.ts')).recordCommand,
  'check-receiver': async () => (await import('./check-receiver-command.ts')).checkReceiverCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
  coverage: async () => (await import('./coverage-command.ts')).coverageCommand,
};

const command = COMMANDS[process.argv[2] ?? ''];
if (command !== undefined) {
  const run = await command();
  let exitCode: number | undefined;
  // The reader of stdout went away (`… | head -1`): nothing more can be shown, so stop quietly, with
  // the run's exit code if it finished, else 2 (the run stopped early); never 1, "a check failed".
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(exitCode ?? 2);
  });
  exitCode = await run(process.argv.slice(3), process.env);
  // Piped output is written asynchronously on some systems (macOS): let it drain first.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(exitCode);
}

function fail(message: string): never {
  console.error(`nimbus-sandbox: ${message}\nRun with --help to see the options.`);
  process.exit(2);
}

let commandLine: CommandLine;
try {
  commandLine = parseCommandLine(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof OptionError)) throw error;
  fail(error.message);
}
if (commandLine.help) {
  console.log(helpText());
  process.exit(0);
}
if (commandLine.version) {
  console.log(packageVersion());
  process.exit(0);
}
const { port, host, fixturesPath, server: settings, options } = commandLine;
// The command line logs every request unless told otherwise; createSandbox stays silent.
options.log ??= 'pretty';

/** What to do about each way a fixture file can fail; the bundled demo data is always one way out. */
const FIXTURE_ADVICE: Record<FixtureProblem, string> = {
  missing: 'Check the path, or pass --fixtures demo for the bundled demo data',
  directory: 'Pass a fixture file (JSON) in it, or --fixtures demo for the bundled demo data',
  unreadable: 'Check the path and the file\'s permissions, or pass --fixtures demo for the bundled demo data',
  json: 'Fix the file there, or start again from a copy of nimbus-sandbox/fixtures/demo.json',
  invalid: 'Fix that field (see "Demo data" in the README), or start again from a copy of nimbus-sandbox/fixtures/demo.json',
};

let fixtures: Fixtures | undefined;
if (fixturesPath !== undefined) {
  try {
    fixtures = loadFixtures(fixturesPath);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    fail(`--fixtures: ${error.message}. ${FIXTURE_ADVICE[error.problem]}.`);
  }
}

const sandbox = createSandbox({ ...options, ...(fixtures === undefined ? {} : { fixtures }) });

const server = serve({ fetch: sandbox.fetch, port, hostname: host, serverOptions: serverOptions(settings) }, (info) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  console.log(`Nimbus OS sandbox listening on http://${host}:${info.port}`);
  if (fixtures !== undefined) {
    console.log(`Demo data: ${fixtures.orders.length} orders and ${fixtures.refills.length} refills under X-API-Key: ${fixtures.apiKey}`);
  }
}) as Server;
configureServer(server, settings);

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') fail(`port ${port} on ${host} is in use; pass --port with another port, or --port 0 for any free one`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot listen on host ${host}; pass --host with an address of this machine`);
  fail(error.message);
});

let shuttingDown = false;

/**
 * Stops accepting connections, lets requests in flight finish (up to --shutdown-timeout), closes
 * the sandbox, then exits 0. A second signal exits at once.
 */
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    console.log(`Received ${signal} again; exiting now`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  shuttingDown = true;
  const deadline = Date.now() + settings.shutdownTimeoutMs;
  const closing = closeGracefully(server, settings.shutdownTimeoutMs);
  // Said once no new connection can be made.
  console.log(`Received ${signal}; no longer accepting connections, finishing requests in flight (up to ${settings.shutdownTimeoutMs} ms), then exiting`);
  const finished = await closing;
  if (!finished) console.log(`Requests still in flight after ${settings.shutdownTimeoutMs} ms; their connections were closed`);
  // Webhook deliveries in flight get what is left of the same time.
  const closed = sandbox.close().catch((error: unknown) => console.error(`nimbus-sandbox: closing failed: ${String(error)}`));
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

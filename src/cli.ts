#!/usr/bin/env node
import { serve } from '@hono/node-server';
import { createSandbox } from './sandbox.ts';
import { FixtureError, loadFixtures, type Fixtures } from './fixtures/fixtures.ts';
import { helpText, OptionError, parseCommandLine, type CommandLine } from './options.ts';

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
const { port, host, fixturesPath, options } = commandLine;

let fixtures: Fixtures | undefined;
if (fixturesPath !== undefined) {
  try {
    fixtures = loadFixtures(fixturesPath);
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    fail(`the fixture file is not usable: ${error.message}. Regenerate it with: npm run fixtures -- --seed 42 --out ${fixturesPath}`);
  }
}

const sandbox = createSandbox({ ...options, ...(fixtures === undefined ? {} : { fixtures }) });

const server = serve({ fetch: sandbox.fetch, port, hostname: host }, (info) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  console.log(`Nimbus OS sandbox listening on http://${host}:${info.port}`);
  if (fixtures !== undefined) {
    console.log(`Demo data: ${fixtures.orders.length} orders and ${fixtures.refills.length} refills under X-API-Key: ${fixtures.apiKey}`);
  }
});

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') fail(`port ${port} on ${host} is in use; pass --port with another port, or --port 0 for any free one`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot listen on host ${host}; pass --host with an address of this machine`);
  fail(error.message);
});

function shutdown(signal: string): void {
  console.log(`Received ${signal}; shutting down`);
  sandbox.close();
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open; drop them rather than hang.
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

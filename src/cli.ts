#!/usr/bin/env node
import { serve } from '@hono/node-server';
import { parseArgs } from 'node:util';
import { createSandbox, type SandboxOptions } from './http/app.ts';

const HELP = `nimbus-sandbox: a local sandbox of the Nimbus OS API 1.0.0

Usage: nimbus-sandbox [options]

Options:
  --port N                    Port to listen on (default: $PORT or 4010; 0 picks a free one)
  --host HOST                 Address to bind (default: 127.0.0.1)
  --rate-limit on|off         The published sandbox rate limits, per API key (default: on)
  --api-keys K1,K2            Accept only these API keys (default: any non-empty key)
  --require-idempotency-key   Refuse POSTs that carry no Idempotency-Key
  --strict                    Refuse unknown patient and prescription ids, as production does
  -h, --help                  Show this help

Every API key is its own tenant and starts with the published test data.`;

function fail(message: string): never {
  console.error(`nimbus-sandbox: ${message}\nRun with --help to see the options.`);
  process.exit(2);
}

function parsePort(text: string, source: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) fail(`${source} must be a port number from 0 to 65535, not "${text}"`);
  return Number(text);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'rate-limit': { type: 'string', default: 'on' },
      'api-keys': { type: 'string' },
      'require-idempotency-key': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const port = values.port !== undefined
  ? parsePort(values.port, '--port')
  : process.env.PORT ? parsePort(process.env.PORT, 'PORT') : 4010;
if (values['rate-limit'] !== 'on' && values['rate-limit'] !== 'off') fail(`--rate-limit takes on or off, not "${values['rate-limit']}"`);
const apiKeys = values['api-keys']?.split(',').map((key) => key.trim()).filter(Boolean);
if (apiKeys !== undefined && apiKeys.length === 0) fail('--api-keys needs at least one key');

const options: SandboxOptions = {
  rateLimit: values['rate-limit'] === 'off' ? false : {},
  requireIdempotencyKey: values['require-idempotency-key'],
  strictReferences: values.strict,
  ...(apiKeys === undefined ? {} : { apiKeys }),
};
const sandbox = createSandbox(options);

const server = serve({ fetch: sandbox.app.fetch, port, hostname: values.host }, (info) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  console.log(`Nimbus OS sandbox listening on http://${host}:${info.port}`);
});

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') fail(`port ${port} on ${values.host} is in use; pass --port with another port, or --port 0 for any free one`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot listen on host ${values.host}; pass --host with an address of this machine`);
  fail(error.message);
});

function shutdown(signal: string): void {
  console.log(`Received ${signal}; shutting down`);
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open; drop them rather than hang.
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

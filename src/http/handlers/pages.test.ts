import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox.ts';
import { openApiDocument } from '../../spec.ts';
import { schemaTest } from '../../validation.ts';
import { ASSET_TYPES, CONTENT_SECURITY_POLICY } from './pages.ts';

const isError = schemaTest('Error');
const root = mkdtempSync(join(tmpdir(), 'nimbus-assets-'));
const assets = join(root, 'assets');
mkdirSync(assets);
writeFileSync(join(root, 'secret.json'), '{"secret":true}');
const FILES: Record<string, string> = {
  'dashboard.html': '<!doctype html><title>dashboard</title>',
  'docs.html': '<!doctype html><title>docs</title>',
  'dashboard.js': 'export {};',
  'dashboard.css': 'body{}',
  'icons.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'mono.woff2': 'wOF2',
  'notes.txt': 'not served',
};
for (const [name, text] of Object.entries(FILES)) writeFileSync(join(assets, name), text);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let opened: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of opened) sandbox.close();
  opened = [];
});

function sandboxWith(options: SandboxOptions = {}): Sandbox {
  const sandbox = createSandbox({ sweepIntervalMs: 0, assetsDir: assets, ...options });
  opened.push(sandbox);
  return sandbox;
}

async function expectNotFound(response: Response, reason: RegExp) {
  const body = await response.json() as { error: { code: string; details?: { reason?: string } } };
  expect([response.status, body.error.code, isError(body)]).toEqual([404, 'not_found', true]);
  expect(body.error.details?.reason).toMatch(reason);
  return body;
}

describe('the dashboard, docs and asset pages', () => {
  it.each([['/sandbox/dashboard', 'dashboard.html'], ['/sandbox/docs', 'docs.html']])('serves %s without a key, as HTML with a strict policy', async (path, file) => {
    const sandbox = sandboxWith();
    const response = await sandbox.request(path);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FILES[file]);
    expect(Object.fromEntries(['content-type', 'content-security-policy', 'x-content-type-options', 'referrer-policy', 'cache-control'].map((name) => [name, response.headers.get(name)]))).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    // No tenant made: the health check counts no key.
    expect(((await (await sandbox.request('/sandbox/health')).json()) as { keys: number }).keys).toBe(0);
  });

  it('lets the pages load nothing but the sandbox\'s own files', () => {
    const directives: Record<string, string[]> = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    for (const sources of Object.values(directives)) expect(sources!.every((source) => /^'(self|none|unsafe-inline)'$|^(data|blob):$/.test(source))).toBe(true);
  });

  it.each([
    ['dashboard.js', 'text/javascript; charset=utf-8'], ['dashboard.css', 'text/css; charset=utf-8'], ['icons.svg', 'image/svg+xml'], ['mono.woff2', 'font/woff2'],
  ])('serves the asset %s as %s', async (name, type) => {
    const response = await sandboxWith().request(`/sandbox/assets/${name}`);
    expect([response.status, response.headers.get('content-type'), response.headers.get('x-content-type-options'), response.headers.get('cache-control')])
      .toEqual([200, type, 'nosniff', 'no-cache']);
    expect(await response.text()).toBe(FILES[name]);
  });

  it('answers only with content types the spec documents for an asset', () => {
    const documented = Object.keys((openApiDocument.paths['/sandbox/assets/{asset}'] as { get: { responses: { 200: { content: object } } } }).get.responses[200].content);
    expect(Object.values(ASSET_TYPES).map((type) => type.split(';')[0]).sort()).toEqual([...documented].sort());
  });

  it.each([
    '..%2fsecret.json', '%2e%2e%2fsecret.json', '..%5csecret.json', '.hidden', '%2fetc%2fpasswd', 'a%00.js', 'x'.repeat(101) + '.js',
  ])('refuses %s with a 404 in the envelope, reading nothing outside the directory', async (name) => {
    const response = await sandboxWith().request(`/sandbox/assets/${name}`);
    const body = await expectNotFound(response, /^Must match/);
    expect(JSON.stringify(body)).not.toContain('secret":true');
  });

  it('refuses a path with more segments as an unknown route', async () => {
    const response = await sandboxWith().request('/sandbox/assets/../secret.json', { headers: { 'X-API-Key': 'k' } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret":true');
  });

  it('refuses a kind of file it does not serve, and a name it does not have, advising a build', async () => {
    const sandbox = sandboxWith();
    await expectNotFound(await sandbox.request('/sandbox/assets/notes.txt'), /Not a kind of file/);
    await expectNotFound(await sandbox.request('/sandbox/assets/missing.js'), /npm run build/);
  });

  it('answers 404, without reading, for an asset that is not a regular file (a FIFO would block the read)', async () => {
    const fifo = join(assets, 'pipe.js');
    execFileSync('mkfifo', [fifo]);
    const sandbox = sandboxWith();
    await expectNotFound(await sandbox.request('/sandbox/assets/pipe.js'), /Cannot be read/);
    mkdirSync(join(assets, 'folder.css'));
    await expectNotFound(await sandbox.request('/sandbox/assets/folder.css'), /Cannot be read/);
  });

  it('answers 404 advising `npm run build` when the assets are not built', async () => {
    const sandbox = sandboxWith({ assetsDir: join(root, 'not-built') });
    for (const path of ['/sandbox/dashboard', '/sandbox/docs', '/sandbox/assets/dashboard.js']) {
      await expectNotFound(await sandbox.request(path), /npm run build/);
    }
  });

  it('keeps CORS as it is: pages and the API readable from an allowed origin, preflights answered', async () => {
    const sandbox = sandboxWith({ cors: ['https://app.example'] });
    const page = await sandbox.request('/sandbox/docs', { headers: { Origin: 'https://app.example' } });
    expect([page.status, page.headers.get('access-control-allow-origin')]).toEqual([200, 'https://app.example']);
    const preflight = await sandbox.request('/sandbox/requests', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-api-key,nimbus-sandbox-dashboard' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-headers')?.includes('Nimbus-Sandbox-Dashboard')]).toEqual([204, true]);
  });
});

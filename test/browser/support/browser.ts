import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** What this machine's closed network needs: no sandbox (root), no GPU, and nothing that calls home. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Chromium { context: BrowserContext; close(): Promise<void> }

/** Headless Chromium with a fresh profile; throws, saying how to install it, where it is missing. */
export async function launchChromium(executablePath = CHROMIUM): Promise<Chromium> {
  if (!existsSync(executablePath)) {
    throw new Error(`The browser tests need Chromium at ${executablePath}: install it with \`apt-get update && apt-get install -y chromium\` (as root; .ci/run does this when it can).`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'nimbus-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: FLAGS, headless: true, viewport: { width: 1280, height: 900 } });
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

export interface RunningSandbox { url: string; stdout: () => string; stop(): void }

/** Starts a built sandbox (`dist/cli.js` or the installed bin) and resolves with its URL once it listens. */
export function startBuiltSandbox(cli: string, args: string[], cwd: string): Promise<RunningSandbox> {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined) resolve({ url, stdout: () => stdout, stop });
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening: ${stderr}`)));
  });
}

/** What a page did that the tests forbid: requests off this machine and console errors. */
export function watchPage(page: Page): { foreignRequests: string[]; consoleErrors: string[] } {
  const seen = { foreignRequests: [] as string[], consoleErrors: [] as string[] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    // A blob: URL (the docs renderer's worker) belongs to the origin it names; data: is inline.
    const { hostname } = url.protocol === 'blob:' ? new URL(url.pathname) : url;
    if (url.protocol !== 'data:' && !['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) seen.foreignRequests.push(request.url());
  });
  page.on('console', (message) => { if (message.type() === 'error') seen.consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => { seen.consoleErrors.push(String(error)); });
  return seen;
}

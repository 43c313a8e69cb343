import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ORDERS } from '../../src/dashboard/rules.ts';
import { launchChromium, startBuiltSandbox, watchPage, type Chromium, type RunningSandbox } from './support/browser.ts';

/**
 * The dashboard in headless Chromium, served by the packed and installed sandbox on the demo
 * fixtures with a virtual clock (test/support/packed-package.ts builds and installs it once).
 */

const START = '2026-01-05T09:00:00.000Z';
const DAY = 86_400_000;
const shown = (at: number) => `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

let chromium: Chromium;
let sandbox: RunningSandbox;
let page: Page;
let seen: ReturnType<typeof watchPage>;
let key: string;
let packageDir: string;

/** Received webhooks, by a loopback server standing in for the integrator's. */
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  chromium = await launchChromium();
  packageDir = join(inject('installedProject'), 'node_modules', 'nimbus-sandbox');
  sandbox = await startBuiltSandbox(join(packageDir, 'dist', 'cli.js'), ['--port', '0', '--clock', 'virtual', '--fixtures', 'demo', '--start-time', START], inject('installedProject'));
  key = await vi.waitFor(() => /Demo data: .* under X-API-Key: (\S+)/.exec(sandbox.stdout())![1]!);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;

  page = await chromium.context.newPage();
  seen = watchPage(page);
  await page.goto(`${sandbox.url}/sandbox/dashboard#key=${key}`);
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  sandbox?.stop();
  receiver?.close();
});

afterEach(() => {
  expect(seen.foreignRequests, 'requests that left localhost').toEqual([]);
  expect(seen.consoleErrors, 'console errors').toEqual([]);
});

const clockNow = () => page.getByTestId('clock-now');
const orderRow = (id: string) => page.locator('#orders tbody tr').filter({ has: page.getByRole('button', { name: id, exact: true }) });

/** Presses the orders' Next or Previous page and waits for the page to change; false when it is disabled. */
async function turnPage(name: 'Next page' | 'Previous page'): Promise<boolean> {
  const button = page.locator('#orders').getByRole('button', { name });
  if (await button.isDisabled()) return false;
  const pageLabel = await page.locator('#orders .pager span').textContent();
  await button.click();
  await page.locator('#orders .pager span').filter({ hasNotText: pageLabel! }).waitFor();
  return true;
}

async function ordersOnEveryPage(): Promise<Array<{ id: string; status: string }>> {
  const rows: Array<{ id: string; status: string }> = [];
  for (;;) {
    await page.locator('#orders tbody tr').first().waitFor();
    rows.push(...await page.locator('#orders tbody tr').evaluateAll((trs) => trs.map((tr) => ({ id: tr.querySelector('button')!.textContent!, status: tr.querySelector('.badge')!.textContent! }))));
    if (!await turnPage('Next page')) break;
  }
  while (await turnPage('Previous page'));
  return rows;
}

describe('the dashboard, in headless Chromium', () => {
  it('takes the key from the fragment, clears it from the address, and shows orders of every status with their ids', async () => {
    await expect.poll(() => clockNow().textContent()).toBe(shown(Date.parse(START)));
    expect(page.url()).toBe(`${sandbox.url}/sandbox/dashboard`);
    // The key is named by its fingerprint, and is not in the page's markup.
    await page.locator('#key-status').filter({ hasText: `fingerprint ${createHash('sha256').update(key).digest('hex').slice(0, 8)} ` }).waitFor();
    expect(await page.locator('#api-key').getAttribute('value')).toBeNull();
    expect(await page.content()).not.toContain(key);
    const rows = await ordersOnEveryPage();
    expect(rows.length).toBeGreaterThanOrEqual(Number(/(\d+) orders/.exec(sandbox.stdout())![1]));
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    expect(rows.every((row) => /^ord_\w+$/.test(row.id))).toBe(true);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(ORDERS.statuses));
  });

  it('offers Advance to… and Cancel on a pending order, and shows the cancel in its timeline', async () => {
    const pending = (await ordersOnEveryPage()).find((row) => row.status === 'pending')!;
    await page.getByRole('button', { name: pending.id, exact: true }).click();
    await page.getByRole('heading', { name: `Order ${pending.id}` }).waitFor();
    const advanceGroup = page.getByRole('group', { name: 'Advance to…' });
    expect(await advanceGroup.getByRole('button').allTextContents()).toEqual(['processing', 'shipped', 'delivered']);
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.locator('#orders .message').filter({ hasText: `${pending.id} cancelled` }).waitFor();
    // The button pressed is gone: focus is on the record's heading, not lost to the page.
    expect(await page.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.textContent)).toBe(`H3 Order ${pending.id} cancelled`);
    const timeline = page.getByRole('list', { name: `History of ${pending.id}` });
    await timeline.getByText('Cancelled').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    expect(await advanceGroup.count()).toBe(0);
    await orderRow(pending.id).getByText('cancelled').waitFor();
    await page.locator('#orders .detail').getByRole('button', { name: 'Close' }).click();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(pending.id);
  });

  it('moves the clock five days with "+5 days", shows the new date, and the orders move on', async () => {
    const pendingBefore = (await ordersOnEveryPage()).filter((row) => row.status === 'pending');
    expect(pendingBefore.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: '+5 days', exact: true }).click();
    const fiveDaysOn = shown(Date.parse(START) + 5 * DAY);
    await page.locator('#clock .message').filter({ hasText: `Clock moved to ${fiveDaysOn}` }).waitFor();
    expect(await clockNow().textContent()).toBe(fiveDaysOn);
    const after = await ordersOnEveryPage();
    expect(after.filter((row) => row.status === 'pending')).toEqual([]);
    expect(after.filter((row) => row.status === 'delivered').length).toBeGreaterThan(0);
  });

  it('opens an order\'s timeline: each change with its time and reason', async () => {
    const delivered = (await ordersOnEveryPage()).find((row) => row.status === 'delivered')!;
    await page.getByRole('button', { name: delivered.id, exact: true }).click();
    const steps = page.getByRole('list', { name: `History of ${delivered.id}` }).getByRole('listitem');
    await steps.last().getByText('delivered').waitFor();
    const texts = await steps.allTextContents();
    expect(texts[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC pending /);
    expect(texts.map((text) => text.split(' ')[3])).toEqual(['pending', 'processing', 'shipped', 'delivered']);
    const facts = await page.locator('#orders .detail dl').textContent();
    expect(facts).toMatch(/trackingNumber\S+/);
    expect(facts).toContain('estimatedDeliveryDate');
    // While it is open, polls stay on /sandbox routes: no rate limit spent, no injected fault.
    const polled: string[] = [];
    const watch = (request: { url(): string }) => { polled.push(new URL(request.url()).pathname); };
    page.on('request', watch);
    await page.waitForResponse((response) => response.url().includes(`/history`));
    await page.waitForResponse((response) => response.url().includes(`/history`));
    page.off('request', watch);
    expect(polled.filter((path) => !path.startsWith('/sandbox/'))).toEqual([]);
  });

  it('shows a change made by another client within 2 seconds, without a reload', async () => {
    const before = Date.parse(`${(await clockNow().textContent())!.replace(' UTC', 'Z').replace(' ', 'T')}`);
    const answer = await fetch(`${sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify({ seconds: 3600 }) });
    expect(answer.status).toBe(200);
    const started = Date.now();
    await clockNow().filter({ hasText: shown(before + 3_600_000) }).waitFor({ timeout: 2000 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('announces the live line only when it changes, and shows the time of the last update in UTC outside it', async () => {
    const live = page.locator('header [role=status].live');
    await live.filter({ hasText: /^Live$/ }).waitFor();
    await page.evaluate(() => {
      const line = document.querySelector('header [role=status].live')!;
      new MutationObserver((changes) => { (window as unknown as { liveChanges: number }).liveChanges += changes.length; })
        .observe(line, { childList: true, characterData: true, subtree: true });
      (window as unknown as { liveChanges: number }).liveChanges = 0;
    });
    const updatedBefore = await page.getByTestId('updated').textContent();
    await page.getByTestId('updated').filter({ hasNotText: updatedBefore! }).waitFor();
    expect(await page.getByTestId('updated').textContent()).toMatch(/^Updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await page.evaluate(() => (window as unknown as { liveChanges: number }).liveChanges)).toBe(0);
    expect(await page.getByTestId('updated').getAttribute('role')).toBeNull();
  });

  it("shows the API's error message when an action is refused", async () => {
    await page.getByLabel('Advance by').fill('99999999');
    await page.getByLabel('Unit').selectOption('days');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.locator('#clock .message.error').filter({ hasText: /^The request body is invalid \(seconds: .+\)$/ }).waitFor();
    // The browser itself logs the refused request; that line is the one expected.
    const refused = seen.consoleErrors.filter((text) => /status of 422/.test(text));
    expect(refused).toHaveLength(1);
    seen.consoleErrors.splice(seen.consoleErrors.indexOf(refused[0]!), 1);
  });

  it('registers an endpoint, reveals its secret on demand, sends a test event and shows its delivery', async () => {
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const registered = await page.locator('#webhooks .message').filter({ hasText: /^Registered we_/ });
    await registered.waitFor();
    const endpointId = (await registered.textContent())!.replace('Registered ', '');
    const row = page.locator('#webhooks tbody tr').filter({ hasText: receiverUrl });
    expect(await row.textContent()).not.toContain('whsec_');
    await page.getByRole('button', { name: `Reveal secret of ${endpointId}` }).click();
    await row.getByText(/^whsec_/).waitFor();

    await page.getByLabel('Test event').selectOption('order.created');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const delivery = page.locator('#webhooks .deliveries tbody tr').filter({ hasText: 'order.created' });
    await delivery.first().waitFor({ timeout: 5000 });
    expect(await delivery.first().textContent()).toMatch(/delivered/);
    expect(received.length).toBeGreaterThan(0);
  });

  it('shows a delivery\'s body, pretty-printed, and the signature sent, and keeps them open across polls', async () => {
    const delivery = page.locator('#webhooks .deliveries tbody tr').filter({ hasText: 'order.created' }).first();
    const eventId = (await delivery.locator('small').first().textContent())!;
    const sent = received.find(({ body }) => body.includes(`"id":"${eventId}"`))!;
    expect(sent, `the receiver got ${eventId}`).toBeDefined();
    await delivery.getByText(`Show body and signature of ${eventId} attempt 1`).click();
    const signature = delivery.getByTestId('delivery-signature');
    const body = delivery.getByTestId('delivery-body');
    await signature.waitFor();
    expect(await signature.textContent()).toBe(sent.headers['x-webhook-signature']);
    const shownBody = (await body.textContent())!;
    expect(shownBody).toBe(JSON.stringify(JSON.parse(sent.body), null, 2));
    // The signature, selected to be copied, stays selected across polls; the panel stays open.
    await signature.selectText();
    await page.waitForResponse((response) => response.url().includes('/deliveries'));
    await page.waitForResponse((response) => response.url().includes('/deliveries'));
    expect(await page.evaluate(() => document.getSelection()?.toString())).toBe(sent.headers['x-webhook-signature']);
    await page.evaluate(() => document.getSelection()?.removeAllRanges());
    await page.locator('#webhooks .deliveries tbody tr').filter({ hasText: eventId }).getByTestId('delivery-body').waitFor({ state: 'visible' });
  });

  it('lists the requests made with the key, without the dashboard\'s own polls', async () => {
    const rows = page.locator('#requests tbody tr');
    await rows.filter({ hasText: '/webhooks/test' }).first().waitFor();
    const methods = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1]!.textContent));
    expect(methods).not.toContain('GET');
    expect(methods).toContain('DELETE');
    expect((await rows.allTextContents()).some((text) => text.includes('/sandbox/clock/advance'))).toBe(true);
  });

  it("shows the key's coverage: the share met with a bar, what it never met first with how to meet it, then what it met", async () => {
    expect((await fetch(`${sandbox.url}/orders/ord_1234567890`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    const panel = page.locator('#coverage');
    const getOrder = panel.getByTestId('coverage-met').locator('li').filter({ has: page.locator('.under', { hasText: /^getOrder$/ }) });
    await getOrder.locator('li').filter({ has: page.locator('code', { hasText: /^200$/ }) }).waitFor();
    const { summary } = await (await fetch(`${sandbox.url}/sandbox/coverage`, { headers: { 'X-API-Key': key } })).json() as { summary: { seen: number; total: number } };
    await panel.getByTestId('coverage-summary').filter({ hasText: new RegExp(`^${summary.seen} of ${summary.total} met \\(\\d+\\.\\d%\\)$`) }).waitFor();
    expect(await panel.locator('progress').evaluate((bar: HTMLProgressElement) => [bar.value, bar.max])).toEqual([summary.seen, summary.total]);
    const conflict = panel.getByTestId('coverage-unmet').locator('li').filter({ has: page.locator('code', { hasText: /^409 idempotency_key_conflict$/ }) }).first();
    await expect.poll(() => conflict.textContent()).toContain('the key was used with a different request');
    // Never met comes first on the page.
    expect(await panel.locator('h3').allTextContents()).toEqual([expect.stringMatching(/^Never met \(\d+\)$/), expect.stringMatching(/^Met \(\d+\)$/)]);
  });

  it('has no serious or critical axe-core violation, with an order, an endpoint and deliveries shown', async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run();
      return result.violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.length }));
    });
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  });

  it('is usable by keyboard: Tab reaches "+1 hour" and Enter presses it', async () => {
    const before = await clockNow().textContent();
    await page.getByLabel('API key').focus();
    for (let presses = 0; presses < 10 && await page.evaluate(() => document.activeElement?.textContent) !== '+1 hour'; presses += 1) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await clockNow().filter({ hasNotText: before! }).waitFor();
  });

  it('opens the API reference at /sandbox/docs, listing /orders and /refills, with nothing fetched from elsewhere', async () => {
    const docs = await chromium.context.newPage();
    const docsSeen = watchPage(docs);
    await docs.goto(`${sandbox.url}/sandbox/docs`);
    await docs.getByText('/orders', { exact: true }).first().waitFor();
    await docs.getByText('/refills', { exact: true }).first().waitFor();
    expect(docsSeen.foreignRequests).toEqual([]);
    expect(docsSeen.consoleErrors, 'console errors of the docs page').toEqual([]);
    // Its paths are absolute: the page's file itself, under the assets, loads the reference too.
    await docs.goto(`${sandbox.url}/sandbox/assets/docs.html`);
    await docs.getByText('/refills', { exact: true }).first().waitFor();
    expect(docsSeen.consoleErrors, 'console errors of the docs page under the assets').toEqual([]);
    await docs.close();
  });
});

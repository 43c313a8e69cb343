import { mkdirSync, writeFileSync } from 'node:fs';
import UPNG from 'upng-js';
import { fileURLToPath } from 'node:url';
import { launchChromium, startBuiltSandbox } from '../test/browser/support/browser.ts';

/**
 * `npm run screenshots`: one PNG per dashboard panel in docs/screenshots/, from the built
 * sandbox on the demo fixtures with a virtual clock, a fixed start and a seed, at a fixed
 * viewport, so a run redraws the same pictures (the request journal's real times aside).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'docs/screenshots';
/** A port nothing listens on: the endpoint's deliveries fail and show their retries. */
const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:9/webhooks';

/** Down to 64 colours: a panel is flat colours and text, and its PNG shrinks about five times. */
function fewerColours(png: Buffer): Buffer {
  const image = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
  return Buffer.from(UPNG.encode(UPNG.toRGBA8(image), image.width, image.height, 64));
}

const sandbox = await startBuiltSandbox('dist/cli.js', ['--port', '0', '--clock', 'virtual', '--fixtures', 'demo', '--start-time', '2026-01-05T09:00:00Z', '--seed', '7', '--log', 'off'], ROOT);
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  await page.goto(`${sandbox.url}/sandbox/dashboard#key=sk_test_demo`);
  await page.getByRole('button', { name: 'ord_demo_015', exact: true }).click();
  await page.getByRole('heading', { name: 'Order ord_demo_015' }).waitFor();
  await page.locator('#refills tbody tr').first().getByRole('button').click();
  await page.locator('#refills .detail h3').waitFor();
  await page.getByLabel('Endpoint URL').fill(UNREACHABLE_ENDPOINT);
  await page.getByRole('button', { name: 'Register endpoint' }).click();
  await page.locator('#webhooks .message').filter({ hasText: /^Registered/ }).waitFor();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.locator('#webhooks .deliveries tbody tr').first().waitFor();
  // The picture shows what a delivery's Show opens: the signature and body sent.
  await page.locator('#webhooks .deliveries tbody tr').first().locator('summary').click();
  await page.getByRole('button', { name: '+1 hour', exact: true }).click();
  await page.locator('#clock .message').filter({ hasText: /^Clock moved to/ }).waitFor();
  // Let one poll pass so every panel shows the state after the last action.
  await page.waitForTimeout(1600);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  mkdirSync(OUT, { recursive: true });
  for (const panel of ['clock', 'orders', 'refills', 'webhooks', 'coverage', 'requests']) {
    const shot = await page.locator(`#${panel}`).screenshot({ animations: 'disabled', caret: 'hide' });
    writeFileSync(`${OUT}/${panel}.png`, fewerColours(shot));
    console.log(`${OUT}/${panel}.png`);
  }
} finally {
  await chromium.close();
  sandbox.stop();
}

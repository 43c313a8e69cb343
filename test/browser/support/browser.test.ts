import { describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';

describe('the browser tests without Chromium', () => {
  it('fail, saying how to install it, rather than skip', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      'The browser tests need Chromium at /nonexistent/chromium: install it with `apt-get update && apt-get install -y chromium`');
  });
});

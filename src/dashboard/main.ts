import { createApi } from './api.ts';
import { clockPanel } from './clock-panel.ts';
import { errorText, h, replace } from './dom.ts';
import { readKey, storeKey, type KeyPlace } from './key.ts';
import type { Panel } from './panel.ts';
import { documentVisibility, startPolling } from './poller.ts';
import { recordsPanel } from './records-panel.ts';
import { requestsPanel } from './requests-panel.ts';
import { ORDERS, REFILLS } from './rules.ts';
import { webhooksPanel } from './webhooks-panel.ts';

/** Changes made by the sweep or other clients show within 2 s: a poll every 1.5 s while the tab is visible. */
const POLL_MS = 1500;

const place: KeyPlace = { location: window.location, history: window.history, storage: window.sessionStorage };
const root = document.getElementById('app')!;
const keyStatus = h('p', { id: 'key-status', role: 'status' });
const liveStatus = h('p', { class: 'live', role: 'status' });
let stop: (() => void) | undefined;

function keyForm(current: string | undefined): HTMLElement {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', value: current ?? '', required: true });
  return h('form', { class: 'row key', onsubmit: (event: Event) => {
    event.preventDefault();
    const key = input.value.trim();
    storeKey(place, key);
    start(key);
  } },
  h('label', { for: 'api-key' }, 'API key'), input,
  h('button', { type: 'submit' }, 'Use key'),
  h('button', { type: 'button', onclick: () => { storeKey(place, undefined); input.value = ''; start(undefined); } }, 'Forget key'),
  keyStatus);
}

function start(key: string | undefined): void {
  stop?.();
  const main = document.getElementById('panels')!;
  if (key === undefined || key === '') {
    replace(keyStatus, 'Type an API key (sk_test_…) to see its sandbox.');
    replace(main);
    return;
  }
  replace(keyStatus, `Showing the sandbox of ${key.slice(0, 8)}…`);
  const api = createApi(key);
  let panels: Panel[] = [];
  let running: Promise<void> | undefined;
  const refreshAll = (): Promise<void> => {
    running ??= (async () => {
      const results = await Promise.allSettled(panels.map((panel) => panel.refresh()));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      replace(liveStatus, failed === undefined ? `Live: updated ${new Date().toLocaleTimeString()}` : `Not updated: ${errorText(failed.reason)}`);
      liveStatus.className = failed === undefined ? 'live' : 'live error';
    })().finally(() => { running = undefined; });
    return running;
  };
  const context = { api, refreshAll };
  panels = [clockPanel(context), recordsPanel(ORDERS, context), recordsPanel(REFILLS, context), webhooksPanel(context), requestsPanel(context)];
  replace(main, panels.map((panel) => panel.element));
  void refreshAll();

  stop = startPolling(() => void refreshAll(), POLL_MS, documentVisibility);
}

const key = readKey(place);
root.append(h('header', {}, h('h1', {}, 'Nimbus sandbox'), keyForm(key), liveStatus), h('main', { id: 'panels' }));
start(key);

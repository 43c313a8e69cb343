import { ApiError, createApi } from './api.ts';
import { clockPanel } from './clock-panel.ts';
import { coveragePanel } from './coverage-panel.ts';
import { errorText, formatTime, h, replace } from './dom.ts';
import { keyFingerprint, readKey, storeKey, type KeyPlace } from './key.ts';
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
/** Announced only when it changes (an error appears or clears), never on every poll. */
const liveStatus = h('p', { class: 'live', role: 'status' });
/** When the page last heard from the sandbox: outside any live region, as it changes every poll. */
const updated = h('p', { class: 'live', 'data-testid': 'updated' });
let stop: (() => void) | undefined;

function keyForm(current: string | undefined): HTMLElement {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
  // Set as the field's value, not its attribute, so the key is not in the page's markup.
  input.value = current ?? '';
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
    replace(liveStatus);
    replace(updated);
    return;
  }
  let stopped = false;
  replace(keyStatus, 'Showing the sandbox of this key.');
  void keyFingerprint(key).then((fingerprint) => {
    if (!stopped) replace(keyStatus, `Showing the sandbox of the key with fingerprint ${fingerprint} (as the sandbox's log names it).`);
  }, () => undefined);
  const api = createApi(key);
  let panels: Panel[] = [];
  const say = (text: string, isError: boolean) => {
    if (liveStatus.textContent !== text) replace(liveStatus, text);
    liveStatus.className = isError ? 'live error' : 'live';
  };
  /** One round of every panel; false when a read failed. A refused key stops the polling until another is used. */
  const refreshAll = async (): Promise<boolean> => {
    const results = await Promise.allSettled(panels.map((panel) => panel.refresh()));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    // A round of a key no longer in use draws nothing more.
    if (stopped) return failed === undefined;
    if (failed === undefined) {
      say('Live', false);
      replace(updated, `Updated ${formatTime(new Date().toISOString())}`);
      return true;
    }
    if (failed.reason instanceof ApiError && failed.reason.status === 401) {
      say(`Polling stopped (${errorText(failed.reason)}): use another key to go on.`, true);
      stop?.();
    } else {
      say(`Not updated: ${errorText(failed.reason)}`, true);
    }
    return false;
  };
  // After an action the panels read afresh, rather than joining a round that may have read before it.
  const context = { api, refreshAll: async () => { await refreshAll(); } };
  panels = [clockPanel(context), recordsPanel(ORDERS, context), recordsPanel(REFILLS, context), webhooksPanel(context), coveragePanel(context), requestsPanel(context)];
  replace(main, panels.map((panel) => panel.element));
  const stopPolling = startPolling(refreshAll, POLL_MS, documentVisibility);
  stop = () => { stopped = true; stopPolling(); };
  void refreshAll();
}

const key = readKey(place);
root.append(h('header', {}, h('h1', {}, 'Nimbus sandbox'), keyForm(key), liveStatus, updated), h('main', { id: 'panels' }));
start(key);

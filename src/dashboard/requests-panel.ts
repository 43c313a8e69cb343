import { formatTime, h, redraw, replace } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { newestOnly, section } from './panel.ts';

interface JournalEntry {
  time: string; method: string; path: string; operationId?: string; status: number | null;
  durationMs: number; requestId?: string; replayed: boolean; fault?: string; errorCode?: string;
}

/** The key's request journal, newest first; the dashboard's own polls are not in it. */
export function requestsPanel({ api }: PanelContext): Panel {
  const { element, message } = section('requests', 'Requests');
  const table = h('div', { class: 'list' });
  element.append(message, table);
  const order = newestOnly();

  function show(entries: JournalEntry[]): void {
    redraw(table, entries, () => replace(table, entries.length === 0 ? h('p', {}, 'No requests yet with this key.') : h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Requests made with this key, newest first'),
      h('thead', {}, h('tr', {}, ['Time', 'Method', 'Path', 'Status', 'Duration', 'Replayed', 'Fault or error'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, entries.map((entry) => h('tr', {},
        h('td', {}, formatTime(entry.time)),
        h('td', {}, entry.method),
        h('td', { class: 'wrap' }, entry.path, entry.operationId === undefined ? null : h('small', {}, ` ${entry.operationId}`)),
        h('td', { class: entry.status === null || entry.status >= 400 ? 'failed' : 'ok' }, entry.status ?? 'no answer'),
        h('td', {}, `${entry.durationMs.toFixed(1)} ms`),
        h('td', {}, entry.replayed ? 'yes' : 'no'),
        h('td', {}, [entry.fault, entry.errorCode].filter(Boolean).join(', ') || '—')))))));
  }

  async function refresh(): Promise<void> {
    const ticket = order.ticket();
    const journal = await api.poll<{ data: JournalEntry[] }>('/sandbox/requests');
    if (order.mayDraw(ticket)) show(journal.data);
  }

  return { element, refresh };
}

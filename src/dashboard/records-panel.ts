import { isNotFound, isUnknownCursor } from './api.ts';
import { badge, formatTime, h, redraw, replace } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { newestOnly, section } from './panel.ts';
import { advanceTargets, canCancel, type RecordKind } from './rules.ts';

type Resource = Record<string, unknown> & { id: string; status: string };
interface Page { data: Resource[]; hasMore: boolean; nextCursor: string | null }
interface History { history: Array<{ status: string; at: string; reason: string }> }

const PAGE_SIZE = 20;

/** A field's value as text: nested objects (an address) as their values joined. */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).filter((part) => part !== null && part !== '').join(', ');
  return typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? formatTime(value) : String(value);
}

/** Orders or refills: a filtered, paged list newest first, and the chosen record's detail and timeline. */
export function recordsPanel(kind: RecordKind, { api, refreshAll }: PanelContext): Panel {
  const plural = `${kind.noun}s`;
  const { element, message, run } = section(plural, kind.title);
  const order = newestOnly();
  const list = h('div', { class: 'list' });
  const pager = h('div', { class: 'row pager' });
  const detail = h('div', { class: 'detail' });
  const filters = { status: '', patientId: '' };
  /** The cursors of the pages before the current one; the current page's cursor is last. */
  const cursors: Array<string | undefined> = [undefined];
  let selected: string | undefined;
  /** The last read of the selected record: a poll refreshes it from the list page when it is there. */
  let record: Resource | undefined;

  const statusSelect = h('select', { id: `${plural}-status` }, h('option', { value: '' }, 'Any status'),
    kind.statuses.map((status) => h('option', { value: status }, status)));
  const patientInput = h('input', { id: `${plural}-patient`, type: 'text', placeholder: 'pat_…', autocomplete: 'off' });
  const filterForm = h('form', { class: 'row', onsubmit: (event: Event) => {
    event.preventDefault();
    filters.status = statusSelect.value;
    filters.patientId = patientInput.value.trim();
    cursors.splice(0, cursors.length, undefined);
    void run(async () => { await refresh(); return undefined; });
  } },
  h('label', { for: `${plural}-status` }, 'Status'), statusSelect,
  h('label', { for: `${plural}-patient` }, 'Patient'), patientInput,
  h('button', { type: 'submit' }, 'Filter'));

  element.append(filterForm, list, pager, message, detail);

  function listPath(): string {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filters.status) query.set('status', filters.status);
    if (filters.patientId) query.set('patientId', filters.patientId);
    const cursor = cursors[cursors.length - 1];
    if (cursor !== undefined) query.set('cursor', cursor);
    return `${kind.list}?${query}`;
  }

  function showList(page: Page): void {
    redraw(list, [page.data, selected], () => drawList(page));
    redraw(pager, [page.hasMore, page.nextCursor, cursors.length], () => drawPager(page));
  }

  function drawList(page: Page): void {
    const rows = page.data.map((record) => h('tr', { 'aria-current': record.id === selected ? 'true' : undefined },
      h('td', {}, h('button', { type: 'button', class: 'link', 'data-focus': `open-${record.id}`, onclick: () => open(record.id) }, record.id)),
      h('td', {}, badge(record.status)),
      h('td', {}, fieldText(record.patientId)),
      h('td', {}, formatTime(record.createdAt as string | undefined))));
    replace(list, page.data.length === 0 ? h('p', {}, `No ${plural} match.`) : h('table', {},
      h('caption', { class: 'visually-hidden' }, `${kind.title}, newest first`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Id'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Patient'), h('th', { scope: 'col' }, 'Created'))),
      h('tbody', {}, rows)));
  }

  function drawPager(page: Page): void {
    replace(pager,
      h('button', { type: 'button', 'data-focus': 'previous', disabled: cursors.length <= 1, onclick: () => { cursors.pop(); void run(async () => { await refresh(); return undefined; }); } }, 'Previous page'),
      h('span', {}, `Page ${cursors.length}`),
      h('button', { type: 'button', 'data-focus': 'next', disabled: !page.hasMore, onclick: () => { cursors.push(page.nextCursor ?? undefined); void run(async () => { await refresh(); return undefined; }); } }, 'Next page'));
  }

  function showDetail(record: Resource, history: History): void {
    redraw(detail, [record, history], () => drawDetail(record, history));
  }

  function drawDetail(record: Resource, history: History): void {
    const actions: HTMLElement[] = [];
    const targets = advanceTargets(kind, record.status);
    if (targets.length > 0) {
      actions.push(h('div', { role: 'group', 'aria-label': 'Advance to…', class: 'row' }, h('span', {}, 'Advance to…'),
        targets.map((target) => h('button', { type: 'button', 'data-focus': `advance-${target}`, onclick: () => void act(() =>
          api.call('POST', kind.advance!.path(record.id), { to: target }), `${record.id} advanced to ${target}`) }, target))));
    }
    if (canCancel(kind, record.status)) {
      actions.push(h('button', { type: 'button', class: 'danger', 'data-focus': 'cancel', onclick: () => void act(() =>
        api.call('DELETE', kind.cancel!.path(record.id)), `${record.id} cancelled`) }, `Cancel ${kind.noun}`));
    }
    replace(detail,
      h('h3', { tabindex: -1, 'data-focus': 'detail-heading' }, `${kind.noun === 'order' ? 'Order' : 'Refill'} ${record.id} `, badge(record.status)),
      h('dl', { class: 'facts' }, Object.entries(record).filter(([name]) => name !== 'id' && name !== 'status')
        .flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, fieldText(value))])),
      actions.length > 0 ? h('div', { class: 'row' }, actions) : null,
      h('h4', {}, 'Timeline'),
      h('ol', { class: 'timeline', 'aria-label': `History of ${record.id}` }, history.history.map((change) =>
        h('li', {}, h('time', { datetime: change.at }, formatTime(change.at)), ' ', badge(change.status), ' ', change.reason))),
      h('button', { type: 'button', 'data-focus': 'close', onclick: () => {
        unselect();
        (list.querySelector<HTMLElement>(`[data-focus="${CSS.escape(`open-${record.id}`)}"]`) ?? message).focus();
        void refresh();
      } }, 'Close'));
  }

  /** The published read of one record: only on the user's own action, as polls stay on `/sandbox` routes. */
  async function readSelected(id: string): Promise<void> {
    const fresh = await api.poll<Resource>(kind.one(id));
    if (id === selected) record = fresh;
  }

  async function act(action: () => Promise<unknown>, done: string): Promise<void> {
    const id = selected;
    await run(async () => {
      await action();
      if (id !== undefined) await readSelected(id);
      await refreshAll();
      // The button used is gone with the status it offered: focus goes to what changed.
      (detail.querySelector<HTMLElement>('h3') ?? message).focus();
      return done;
    });
  }

  function open(id: string): void {
    selected = id;
    record = undefined;
    void run(async () => {
      await readSelected(id);
      await refresh();
      detail.querySelector('h3')?.scrollIntoView({ block: 'nearest' });
      return undefined;
    });
  }

  function unselect(): void {
    selected = undefined;
    record = undefined;
    replace(detail);
  }

  /** Draws what could be read: one failing read does not hold back the others; the first failure is thrown after. */
  async function refresh(): Promise<void> {
    const id = selected;
    const ticket = order.ticket();
    const [pageRead, historyRead] = await Promise.allSettled([
      api.poll<Page>(listPath()),
      id === undefined ? Promise.resolve(undefined) : api.poll<History>(kind.history(id)),
    ]);
    if (!order.mayDraw(ticket)) return;
    if (pageRead.status === 'rejected' && isUnknownCursor(pageRead.reason) && cursors.length > 1) {
      cursors.splice(0, cursors.length, undefined);
      return refresh();
    }
    if (pageRead.status === 'fulfilled') {
      showList(pageRead.value);
      const listed = pageRead.value.data.find((item) => item.id === id);
      if (listed !== undefined && id === selected) record = listed;
    }
    if (id !== undefined && id === selected) {
      if (historyRead.status === 'rejected' && isNotFound(historyRead.reason)) unselect();
      else if (historyRead.status === 'fulfilled' && historyRead.value !== undefined && record !== undefined) showDetail(record, historyRead.value);
    }
    const failed = [pageRead, historyRead].find((read): read is PromiseRejectedResult => read.status === 'rejected');
    if (failed !== undefined && !isNotFound(failed.reason)) throw failed.reason;
  }

  return { element, refresh };
}

import { groupItems, sharePercent, splitByMet, type Coverage, type CoverageItem } from '../coverage-report.ts';
import { h, redraw, replace } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { newestOnly, section } from './panel.ts';

/** How a list draws an entry, and whether the entry needs a line of its own (it has a hint) rather than a place beside the others. */
type Entry = { draw(item: CoverageItem): HTMLElement; long(item: CoverageItem): boolean };

/** A group's items as nested lists, by operation or kind where the group has them; lists of short entries wrap as one paragraph. */
function groupList(items: readonly CoverageItem[], entry: Entry): HTMLElement[] {
  const list = (listed: CoverageItem[]) => h('ul', { class: listed.some(entry.long) ? null : 'inline' }, listed.map(entry.draw));
  return groupItems(items).map(({ name, title, lists }) => h('div', { class: 'coverage-group', 'data-group': name },
    h('h4', {}, title),
    lists.length === 1 && lists[0]!.under === '' ? list(lists[0]!.items)
      : h('ul', {}, lists.map(({ under, items: listed }) => h('li', {}, h('span', { class: 'under' }, under), list(listed))))));
}

const NEVER_MET: Entry = {
  draw: (item) => h('li', {}, h('code', {}, item.label), item.hint === undefined ? null : h('span', { class: 'hint' }, ` ${item.hint}`)),
  long: (item) => item.hint !== undefined,
};
const MET: Entry = {
  draw: (item) => h('li', {}, h('code', {}, item.label), ` ${item.count}×`, item.detail === '' ? null : h('small', {}, ` (${item.detail})`)),
  long: () => false,
};

/** What the key's traffic has met of the contract (`GET /sandbox/coverage`): never met first, with how to meet each. */
export function coveragePanel({ api }: PanelContext): Panel {
  const { element, message } = section('coverage', 'Coverage');
  const region = h('div', { class: 'coverage' });
  element.append(message, region);
  const order = newestOnly();

  function show(coverage: Coverage): void {
    redraw(region, coverage, () => {
      const { seen, total } = coverage.summary;
      const { unmet, met: metItems } = splitByMet(coverage);
      replace(region,
        h('p', { class: 'row', 'data-testid': 'coverage-summary' },
          h('label', { for: 'coverage-bar' }, `${seen} of ${total} met (${sharePercent(coverage.summary)})`),
          h('progress', { id: 'coverage-bar', max: Math.max(total, 1), value: total === 0 ? 1 : seen })),
        h('section', { 'data-testid': 'coverage-unmet', 'aria-labelledby': 'coverage-unmet-title' },
          h('h3', { id: 'coverage-unmet-title' }, `Never met (${unmet.length})`),
          unmet.length === 0 ? h('p', {}, 'Nothing: this key has met every possibility.') : groupList(unmet, NEVER_MET)),
        h('section', { 'data-testid': 'coverage-met', 'aria-labelledby': 'coverage-met-title' },
          h('h3', { id: 'coverage-met-title' }, `Met (${metItems.length})`),
          metItems.length === 0 ? h('p', {}, 'Nothing yet: run your tests against this sandbox with this key.') : groupList(metItems, MET)));
    });
  }

  async function refresh(): Promise<void> {
    const ticket = order.ticket();
    const coverage = await api.poll<Coverage>('/sandbox/coverage');
    if (order.mayDraw(ticket)) show(coverage);
  }

  return { element, refresh };
}

import { formatTime, h, redraw, replace } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { newestOnly, section } from './panel.ts';

interface Clock { now: string; mode: string; timeScale: number }

const HOUR = 3600;
const UNITS: ReadonlyArray<[string, number]> = [['minutes', 60], ['hours', HOUR], ['days', 24 * HOUR]];

export function clockPanel({ api, refreshAll }: PanelContext): Panel {
  const { element, message, run } = section('clock', 'Clock');
  const facts = h('dl', { class: 'facts' });
  const order = newestOnly();
  /** Reads the clock, by a poll or an action, and draws it unless a newer read was drawn already. */
  async function readAndShow(read: () => Promise<Clock>): Promise<Clock> {
    const ticket = order.ticket();
    const clock = await read();
    if (order.mayDraw(ticket)) show(clock);
    return clock;
  }

  const advance = (seconds: number) => run(async () => {
    const clock = await readAndShow(() => api.call<Clock>('POST', '/sandbox/clock/advance', { seconds }));
    await refreshAll();
    return `Clock moved to ${formatTime(clock.now)}`;
  });

  const amount = h('input', { id: 'clock-amount', type: 'number', min: '1', step: 'any', value: '2', required: true });
  const unit = h('select', { id: 'clock-unit' }, UNITS.map(([name]) => h('option', { value: name, selected: name === 'hours' }, name)));
  const custom = h('form', { class: 'row', onsubmit: (event: Event) => {
    event.preventDefault();
    const factor = UNITS.find(([name]) => name === unit.value)?.[1] ?? HOUR;
    void advance(Number(amount.value) * factor);
  } },
  h('label', { for: 'clock-amount' }, 'Advance by'), amount,
  h('label', { for: 'clock-unit', class: 'visually-hidden' }, 'Unit'), unit,
  h('button', { type: 'submit' }, 'Advance clock'));

  element.append(
    facts,
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => void advance(HOUR) }, '+1 hour'),
      h('button', { type: 'button', onclick: () => void advance(24 * HOUR) }, '+1 day'),
      h('button', { type: 'button', onclick: () => void advance(5 * 24 * HOUR) }, '+5 days')),
    custom,
    message,
  );

  function show(clock: Clock): void {
    redraw(facts, clock, () => replace(facts,
      h('dt', {}, 'Now'), h('dd', { 'data-testid': 'clock-now' }, formatTime(clock.now)),
      h('dt', {}, 'Mode'), h('dd', {}, clock.mode),
      h('dt', {}, 'Time scale'), h('dd', {}, `×${clock.timeScale}`)));
  }

  return { element, refresh: async () => { await readAndShow(() => api.poll<Clock>('/sandbox/clock')); } };
}

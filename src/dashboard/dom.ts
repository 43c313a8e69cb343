/** A small element builder: the page is plain DOM, no framework. */

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/**
 * Replaces a region's content, keeping focus on the control with the same `data-focus` name, so
 * a poll that redraws a list does not take the keyboard user's place away.
 */
export function replace(region: Element, ...children: Array<Child | Child[]>): void {
  drawnFrom.delete(region);
  const active = document.activeElement;
  const focusName = active instanceof HTMLElement && region.contains(active) ? active.dataset.focus : undefined;
  region.replaceChildren(...children.flat().filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false).map((child) => (child instanceof Node ? child : String(child))));
  if (focusName !== undefined) region.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusName)}"]`)?.focus();
}

/** The JSON text each region was last drawn from by `redraw`. */
const drawnFrom = new WeakMap<Element, string>();

/** Whether the user has text selected in the region, which a redraw would take away. */
function selectionIn(region: Element): boolean {
  const selection = document.getSelection();
  return selection !== null && !selection.isCollapsed && selection.rangeCount > 0 && region.contains(selection.getRangeAt(0).commonAncestorContainer);
}

/**
 * Draws a region from `data` unless it was last drawn from the same data, or the user is selecting
 * text in it: a poll that changed nothing leaves the page alone, so an id or a signature can be copied.
 */
export function redraw(region: Element, data: unknown, draw: () => void): void {
  const text = JSON.stringify(data);
  if (drawnFrom.get(region) === text || selectionIn(region)) return;
  draw();
  drawnFrom.set(region, text);
}

/** A date-time shown in UTC, the sandbox's own zone, to the second. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** JSON indented for reading; text that is not JSON, as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, status);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

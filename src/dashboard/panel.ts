import type { Api } from './api.ts';
import { errorText, h, replace } from './dom.ts';

/** One section of the page: drawn once, then refreshed by every poll and after every action. */
export interface Panel {
  element: HTMLElement;
  refresh(): Promise<void>;
}

export interface PanelContext {
  api: Api;
  /** Refreshes every panel now, after an action whose effects other panels show. */
  refreshAll(): Promise<void>;
}

/** A section with a heading and a message line: `run` reports an action's outcome or its error there. */
export function section(id: string, title: string) {
  // Focusable from script: where focus goes when the control that was used is gone.
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite', tabindex: -1 });
  const element = h('section', { id, class: 'panel', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title));
  const say = (text: string, isError = false) => {
    message.className = isError ? 'message error' : 'message';
    replace(message, text);
  };
  /** Runs a user action: its error, in the envelope's words, is shown on the panel. */
  async function run(action: () => Promise<string | undefined>): Promise<void> {
    try {
      const done = await action();
      say(done ?? '');
    } catch (error) {
      say(errorText(error), true);
    }
  }
  return { element, message, say, run };
}

/** Numbers a panel's refreshes: an answer older than one already drawn is dropped, not drawn over it. */
export function newestOnly() {
  let issued = 0;
  let drawn = 0;
  return {
    ticket: () => ++issued,
    mayDraw(ticket: number): boolean {
      if (ticket < drawn) return false;
      drawn = ticket;
      return true;
    },
  };
}

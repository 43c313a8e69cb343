/** What the poller needs of the page: whether it is hidden, and word when that changes. */
export interface Visibility {
  isHidden(): boolean;
  onChange(listener: () => void): () => void;
}

/** How far failed rounds stretch the interval: doubled after each, up to this. */
export const MAX_INTERVAL_MS = 30_000;

/**
 * Calls `refresh` `intervalMs` after the last round ended while the page is visible, and at once
 * when it becomes visible again; a hidden tab makes no requests. A round that fails (`refresh`
 * answers false or throws) doubles the wait, up to MAX_INTERVAL_MS; a good one resets it.
 * Returns the function that stops it.
 */
export function startPolling(refresh: () => Promise<boolean>, intervalMs: number, visibility: Visibility): () => void {
  let wait = intervalMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let stopped = false;
  async function round(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || inFlight || visibility.isHidden()) return;
    inFlight = true;
    const ok = await refresh().catch(() => false);
    inFlight = false;
    if (stopped) return;
    wait = ok ? intervalMs : Math.min(wait * 2, MAX_INTERVAL_MS);
    timer = setTimeout(() => void round(), wait);
  }
  timer = setTimeout(() => void round(), intervalMs);
  const stopListening = visibility.onChange(() => { if (!visibility.isHidden()) void round(); });
  return () => { stopped = true; clearTimeout(timer); stopListening(); };
}

export const documentVisibility: Visibility = {
  isHidden: () => document.hidden,
  onChange: (listener) => {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

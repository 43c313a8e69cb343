/** What the poller needs of the page: whether it is hidden, and word when that changes. */
export interface Visibility {
  isHidden(): boolean;
  onChange(listener: () => void): () => void;
}

/**
 * Calls `refresh` every `intervalMs` while the page is visible, and at once when it becomes
 * visible again; a hidden tab makes no requests. Returns the function that stops it.
 */
export function startPolling(refresh: () => void, intervalMs: number, visibility: Visibility): () => void {
  const timer = setInterval(() => { if (!visibility.isHidden()) refresh(); }, intervalMs);
  const stopListening = visibility.onChange(() => { if (!visibility.isHidden()) refresh(); });
  return () => { clearInterval(timer); stopListening(); };
}

export const documentVisibility: Visibility = {
  isHidden: () => document.hidden,
  onChange: (listener) => {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

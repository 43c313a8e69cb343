import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPolling, type Visibility } from './poller.ts';

function fakeVisibility() {
  let hidden = false;
  const listeners = new Set<() => void>();
  const visibility: Visibility = { isHidden: () => hidden, onChange: (listener) => { listeners.add(listener); return () => listeners.delete(listener); } };
  const set = (value: boolean) => { hidden = value; for (const listener of listeners) listener(); };
  return { visibility, set, listeners };
}

describe('the dashboard poller', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('refreshes every interval while visible', () => {
    const refresh = vi.fn();
    startPolling(refresh, 1500, fakeVisibility().visibility);
    vi.advanceTimersByTime(1499);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1501);
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('makes no call while hidden, and one at once when shown again', () => {
    const refresh = vi.fn();
    const page = fakeVisibility();
    startPolling(refresh, 1500, page.visibility);
    page.set(true);
    vi.advanceTimersByTime(10_000);
    expect(refresh).not.toHaveBeenCalled();
    page.set(false);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('stops for good, listener and timer both', () => {
    const refresh = vi.fn();
    const page = fakeVisibility();
    const stop = startPolling(refresh, 1500, page.visibility);
    stop();
    vi.advanceTimersByTime(10_000);
    page.set(false);
    expect(refresh).not.toHaveBeenCalled();
    expect(page.listeners.size).toBe(0);
  });
});

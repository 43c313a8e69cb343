import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_INTERVAL_MS, startPolling, type Visibility } from './poller.ts';

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

  it('refreshes every interval while visible', async () => {
    const refresh = vi.fn(async () => true);
    startPolling(refresh, 1500, fakeVisibility().visibility);
    await vi.advanceTimersByTimeAsync(1499);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1501);
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('makes no call while hidden, and one at once when shown again', async () => {
    const refresh = vi.fn(async () => true);
    const page = fakeVisibility();
    startPolling(refresh, 1500, page.visibility);
    page.set(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refresh).not.toHaveBeenCalled();
    page.set(false);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('stops for good, listener and timer both', async () => {
    const refresh = vi.fn(async () => true);
    const page = fakeVisibility();
    const stop = startPolling(refresh, 1500, page.visibility);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    page.set(false);
    expect(refresh).not.toHaveBeenCalled();
    expect(page.listeners.size).toBe(0);
  });

  it('doubles the wait after each failed round, up to the cap, and is back to the interval after a good one', async () => {
    let ok = false;
    const calls: number[] = [];
    const refresh = vi.fn(async () => { calls.push(Date.now()); if (calls.length === 3) throw new Error('down'); return ok; });
    startPolling(refresh, 1500, fakeVisibility().visibility);
    await vi.advanceTimersByTimeAsync(1500 + 3000 + 6000 + 12_000 + 24_000 + MAX_INTERVAL_MS);
    const waits = calls.slice(1).map((at, index) => at - calls[index]!);
    expect(waits).toEqual([3000, 6000, 12_000, 24_000, MAX_INTERVAL_MS]);
    ok = true;
    await vi.advanceTimersByTimeAsync(MAX_INTERVAL_MS + 1500);
    expect(calls.slice(-2).map((at) => at - calls[5]!)).toEqual([MAX_INTERVAL_MS, MAX_INTERVAL_MS + 1500]);
  });

  it('runs no second round while one is still waiting for its answers', async () => {
    let answer: (ok: boolean) => void = () => {};
    const refresh = vi.fn(() => new Promise<boolean>((resolve) => { answer = resolve; }));
    const page = fakeVisibility();
    startPolling(refresh, 1500, page.visibility);
    await vi.advanceTimersByTimeAsync(10_000);
    page.set(false);
    expect(refresh).toHaveBeenCalledTimes(1);
    answer(true);
    await vi.advanceTimersByTimeAsync(1500);
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});

import { describe, expect, it } from 'vitest';
import { OneAtATime } from './one-at-a-time.ts';

/** A promise settled from outside. */
function gate(): { promise: Promise<void>; open(): void; fail(error: Error): void } {
  let open = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const turns = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('OneAtATime', () => {
  it('starts work for a key only once the earlier work for it has settled', async () => {
    const serial = new OneAtATime<string>();
    const first = gate();
    const started: string[] = [];
    void serial.run('k', () => first.promise);
    const second = serial.run('k', async () => { started.push('second'); });
    await turns();
    expect(started).toEqual([]);
    first.open();
    await second;
    expect(started).toEqual(['second']);
  });

  it('starts the next work after earlier work failed, and rejects only the failed run', async () => {
    const serial = new OneAtATime<string>();
    const failing = serial.run('k', async () => { throw new Error('boom'); });
    const next = serial.run('k', async () => {});
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBeUndefined();
  });

  it('runs work for different keys at the same time', async () => {
    const serial = new OneAtATime<string>();
    const held = gate();
    void serial.run('a', () => held.promise);
    let ranB = false;
    await serial.run('b', async () => { ranB = true; });
    expect(ranB).toBe(true);
    held.open();
  });

  it('shows the work under way as current, settling without failing, and nothing once it is done', async () => {
    const serial = new OneAtATime<string>();
    const held = gate();
    const run = serial.run('k', () => held.promise);
    const current = serial.current('k');
    held.fail(new Error('boom'));
    await expect(current).resolves.toBeUndefined();
    await expect(run).rejects.toThrow('boom');
    expect(serial.current('k')).toBeUndefined();
  });
});

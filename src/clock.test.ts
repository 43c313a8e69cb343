import { describe, expect, it } from 'vitest';
import { isoTime, ManualClock, TenantClock, TenantClocks, type ClockMode } from './clock.ts';

const BASE_START = Date.parse('2030-06-01T00:00:00Z');
const SANDBOX_START = Date.parse('2025-02-03T15:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A tenant clock over a manual base, with the sandbox starting at SANDBOX_START when the base reads BASE_START. */
function tenantClock(mode: ClockMode, timeScale = 1) {
  const base = new ManualClock(BASE_START);
  return { base, clock: new TenantClock(base, mode, timeScale, BASE_START, SANDBOX_START) };
}

describe('ManualClock', () => {
  it('reads what it was given and moves only when advanced', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
  });
});

describe('isoTime', () => {
  it('gives RFC 3339 UTC with whole seconds', () => {
    expect(isoTime(Date.parse('2025-02-03T15:00:00.999Z'))).toBe('2025-02-03T15:00:00Z');
  });
});

describe('TenantClock', () => {
  it.each(['real', 'virtual'] as const)('starts at the sandbox start in %s mode', (mode) => {
    expect(tenantClock(mode).clock.now()).toBe(SANDBOX_START);
  });

  it('in real mode follows the time elapsed on its base', () => {
    const { base, clock } = tenantClock('real');
    base.advance(5 * MINUTE);
    expect(clock.now()).toBe(SANDBOX_START + 5 * MINUTE);
  });

  it('in virtual mode stands still while its base moves', () => {
    const { base, clock } = tenantClock('virtual');
    base.advance(5 * HOUR);
    expect(clock.now()).toBe(SANDBOX_START);
  });

  it('in real mode runs timeScale times faster than its base', () => {
    const { base, clock } = tenantClock('real', 60);
    base.advance(MINUTE);
    expect(clock.now()).toBe(SANDBOX_START + HOUR);
  });

  it('in virtual mode ignores timeScale', () => {
    const { base, clock } = tenantClock('virtual', 60);
    base.advance(MINUTE);
    expect(clock.now()).toBe(SANDBOX_START);
  });

  it.each(['real', 'virtual'] as const)('in %s mode moves by exactly the advance', (mode) => {
    const { clock } = tenantClock(mode);
    clock.advance(90 * MINUTE);
    expect(clock.now()).toBe(SANDBOX_START + 90 * MINUTE);
  });

  it('adds advances up', () => {
    const { clock } = tenantClock('virtual');
    clock.advance(HOUR);
    clock.advance(2 * HOUR);
    expect(clock.now()).toBe(SANDBOX_START + 3 * HOUR);
  });

  it('in real mode adds advances to the scaled elapsed time', () => {
    const { base, clock } = tenantClock('real', 10);
    clock.advance(HOUR);
    base.advance(MINUTE);
    expect(clock.now()).toBe(SANDBOX_START + HOUR + 10 * MINUTE);
  });

  it('reads whole milliseconds when the scale is fractional', () => {
    const { base, clock } = tenantClock('real', 1.5);
    base.advance(1);
    expect(clock.now()).toBe(SANDBOX_START + 1);
  });

  it('reports its mode and scale', () => {
    const { clock } = tenantClock('real', 24);
    expect([clock.mode, clock.timeScale]).toEqual(['real', 24]);
  });
});

describe('TenantClocks', () => {
  it('gives each tenant one clock, the same on every call', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'virtual', timeScale: 1 });
    expect(clocks.for('key_a')).toBe(clocks.for('key_a'));
  });

  it('starts sandbox time at the base clock now by default', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'virtual', timeScale: 1 });
    expect(clocks.for('key_a').now()).toBe(BASE_START);
  });

  it('starts sandbox time at startAt when given', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'virtual', timeScale: 1, startAt: SANDBOX_START });
    expect(clocks.for('key_a').now()).toBe(SANDBOX_START);
  });

  it('does not move tenant B when tenant A advances', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'virtual', timeScale: 1, startAt: SANDBOX_START });
    clocks.for('key_b');
    clocks.for('key_a').advance(HOUR);
    expect(clocks.for('key_a').now()).toBe(SANDBOX_START + HOUR);
    expect(clocks.for('key_b').now()).toBe(SANDBOX_START);
  });

  it('does not give a tenant first seen after an advance the other tenant\'s advance', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'virtual', timeScale: 1, startAt: SANDBOX_START });
    clocks.for('key_a').advance(HOUR);
    expect(clocks.for('key_late').now()).toBe(SANDBOX_START);
  });

  it('in real mode runs every tenant from the sandbox start, even one first seen later', () => {
    const base = new ManualClock(BASE_START);
    const clocks = new TenantClocks(base, { mode: 'real', timeScale: 2, startAt: SANDBOX_START });
    base.advance(MINUTE);
    expect(clocks.for('key_late').now()).toBe(SANDBOX_START + 2 * MINUTE);
  });

  it('hands every tenant its settings', () => {
    const clocks = new TenantClocks(new ManualClock(BASE_START), { mode: 'real', timeScale: 3 });
    expect([clocks.for('key_a').mode, clocks.for('key_a').timeScale]).toEqual(['real', 3]);
  });
});

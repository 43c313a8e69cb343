import { describe, expect, it } from 'vitest';
import { nextTurn } from '../clock.ts';
import type { LogEntry, RequestLogEntry } from './entry.ts';
import { lineWriter, MAX_UNREAD_BYTES, sinkFor } from './writer.ts';

const entry = (path: string): RequestLogEntry => ({
  kind: 'request', time: '2025-06-02T12:00:00.000Z', method: 'GET', path, status: 200, durationMs: 0.5, requestId: 'req_1', replayed: false,
});

function output() {
  const writes: string[] = [];
  let fail: ((error: unknown) => void) | undefined;
  return {
    writes,
    stream: { write: (text: string) => { writes.push(text); return true; }, on: (_: 'error', listener: (error: unknown) => void) => { fail = listener; } },
    fail: () => fail?.(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
  };
}

describe('the line writer', () => {
  it('writes the lines of one turn in one write, on the next turn', async () => {
    const out = output();
    const sink = lineWriter(out.stream, (logged) => (logged as RequestLogEntry).path);
    sink(entry('/a'));
    sink(entry('/b'));
    expect(out.writes).toEqual([]);
    await nextTurn();
    expect(out.writes).toEqual(['/a\n/b\n']);
    sink(entry('/c'));
    await nextTurn();
    expect(out.writes).toEqual(['/a\n/b\n', '/c\n']);
  });

  it('writes at once when the lines waiting grow past 64 KiB', () => {
    const out = output();
    const sink = lineWriter(out.stream, (logged) => (logged as RequestLogEntry).path);
    for (let i = 0; i < 70; i++) sink(entry('x'.repeat(1023)));
    expect(out.writes.join('').length).toBeGreaterThan(64 * 1024);
  });

  it('stops writing once its output fails (a closed pipe), and throws nothing', async () => {
    const out = output();
    const sink = lineWriter(out.stream, (logged) => (logged as RequestLogEntry).path);
    out.fail();
    sink(entry('/a'));
    await nextTurn();
    expect(out.writes).toEqual([]);
    const throwing = lineWriter({ write: () => { throw new Error('EBADF'); } }, () => 'x');
    throwing(entry('/a'));
    await nextTurn();
    expect(() => throwing(entry('/b'))).not.toThrow();
  });

  it('listens for its output\'s errors once, however many sandboxes write to it', () => {
    let listeners = 0;
    const stream = { write: () => true, on: () => { listeners++; } };
    for (let i = 0; i < 20; i++) lineWriter(stream, () => 'x');
    expect(listeners).toBe(1);
  });
});

describe('the log setting', () => {
  it('off has no sink at all', () => {
    expect(sinkFor('off')).toBeUndefined();
  });

  it('json writes one object a line to the output; pretty one readable line', async () => {
    const out = output();
    sinkFor('json', out.stream)!(entry('/orders/ord_1'));
    sinkFor('pretty', out.stream)!(entry('/orders/ord_1'));
    await nextTurn();
    expect(out.writes.map((text) => text.split('\n').length)).toEqual([2, 2]);
    expect(JSON.parse(out.writes[0]!)).toEqual(entry('/orders/ord_1'));
    expect(out.writes[1]).toBe('2025-06-02T12:00:00.000Z GET /orders/ord_1 200 0.5ms req_1 key:-\n');
  });

  it('hands each entry to a function, and swallows what it throws', () => {
    const got: LogEntry[] = [];
    sinkFor((logged) => { got.push(logged); })!(entry('/a'));
    expect(got).toEqual([entry('/a')]);
    expect(() => sinkFor(() => { throw new Error('broken sink'); })!(entry('/a'))).not.toThrow();
  });
});

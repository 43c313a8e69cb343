import { nextTurn } from '../clock.ts';
import type { LogEntry, LogSetting, LogSink } from './entry.ts';
import { jsonLine, prettyLine } from './format.ts';

/** What a log is written to: process.stdout, or any stream. */
export interface LogOutput {
  write(text: string): unknown;
  /** Bytes written but not yet taken by the reader (Node's writable streams). */
  readonly writableLength?: number;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Outputs that failed, and outputs listened to: one listener each however many sandboxes write there. */
const broken = new WeakSet<LogOutput>();
const watched = new WeakSet<LogOutput>();

function watch(output: LogOutput): void {
  if (watched.has(output)) return;
  watched.add(output);
  output.on?.('error', () => broken.add(output));
}

/** Lines waiting past this many characters are written at once rather than on the next turn. */
const MAX_PENDING_CHARS = 64 * 1024;
/** Past this many bytes the reader has not taken (a paused pager, a stalled pipe), lines are dropped and counted. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * A sink writing one line per entry. Lines made in one turn of the event loop go out in one write
 * on the next, so a busy server makes one system call per turn, not per request. Once the output
 * fails (a closed pipe: EPIPE), the log stops; the server goes on. While the reader lags more than
 * MAX_UNREAD_BYTES behind, lines are dropped rather than held in memory, and the count is said
 * once it catches up.
 */
export function lineWriter(output: LogOutput, format: (entry: LogEntry) => string): LogSink {
  let pending: string[] = [];
  let pendingChars = 0;
  let dropped = 0;
  watch(output);
  const flush = () => {
    let text = pending.join('');
    const lines = pending.length;
    pending = [];
    pendingChars = 0;
    if (broken.has(output) || text === '') return;
    if ((output.writableLength ?? 0) > MAX_UNREAD_BYTES) {
      dropped += lines;
      return;
    }
    if (dropped > 0) {
      text = `… ${dropped} log line${dropped === 1 ? '' : 's'} dropped: the log's reader fell more than ${MAX_UNREAD_BYTES} bytes behind\n${text}`;
      dropped = 0;
    }
    try {
      output.write(text);
    } catch {
      broken.add(output);
    }
  };
  return (entry) => {
    if (broken.has(output)) return;
    const line = `${format(entry)}\n`;
    if (pending.length === 0) void nextTurn().then(flush);
    pending.push(line);
    pendingChars += line.length;
    if (pendingChars > MAX_PENDING_CHARS) flush();
  };
}

export const LINE_FORMATS = { pretty: prettyLine, json: jsonLine } as const;

/** The sink for a `log` setting, writing to `output`; undefined for `off`. Whatever it is given, it never throws. */
export function sinkFor(setting: LogSetting, output: LogOutput = process.stdout): LogSink | undefined {
  if (setting === 'off') return undefined;
  const sink = typeof setting === 'function' ? setting : lineWriter(output, LINE_FORMATS[setting]);
  return (entry) => {
    try {
      sink(entry);
    } catch {
      // A failing log never fails a request or a delivery.
    }
  };
}

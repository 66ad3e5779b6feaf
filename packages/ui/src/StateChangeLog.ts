/**
 * StateChangeLog: Kafka's state-change.log, read from the brokers' log files. kzoo's
 * brokers log controller and partition state changes on the `state.change` namespace
 * (`<time> INFO  [state.change] <message> key=value ...`); for a cluster whose log files
 * are known (`kzoo cluster up` records them), the UI follows each file from its current
 * end and turns every new state.change line into an event of the feed.
 */
import * as fs from 'node:fs';
import type { ScheduledTask, Time } from '@kzoo/common';

export interface StateChangeLine {
  /** The line's own timestamp (ms), or -1. */
  timeMs: number;
  level: string;
  text: string;
}

const LINE = /^(\S+)\s+(DEBUG|INFO|WARN|ERROR)\s+\[state\.change\] (.*)$/;

/** A `state.change` line of a broker log, or null for any other line (JSON lines too). */
export function parseStateChangeLine(line: string): StateChangeLine | null {
  const m = LINE.exec(line);
  if (m) {
    const t = Date.parse(m[1]);
    return { timeMs: Number.isNaN(t) ? -1 : t, level: m[2], text: m[3].trim() };
  }
  if (line.startsWith('{')) {
    try {
      const j = JSON.parse(line) as { ns?: string; time?: string; level?: string; msg?: string };
      if (j.ns !== 'state.change' || typeof j.msg !== 'string') return null;
      const t = Date.parse(j.time ?? '');
      return {
        timeMs: Number.isNaN(t) ? -1 : t,
        level: (j.level ?? 'info').toUpperCase(),
        text: j.msg,
      };
    } catch {
      return null;
    }
  }
  return null;
}

export interface StateChangeSource {
  brokerId: number;
  file: string;
}

/** Follows the files from their end; calls `onLine` for each new state.change line. */
export class StateChangeLogTailer {
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();
  private task: ScheduledTask | null = null;

  constructor(
    private readonly sources: () => StateChangeSource[],
    private readonly onLine: (brokerId: number, line: StateChangeLine) => void,
    private readonly time: Time,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    for (const s of this.sources()) this.offsets.set(s.file, sizeOf(s.file));
    this.task = this.time.schedule('ui-state-change-log', () => this.poll(), this.intervalMs, {
      periodMs: this.intervalMs,
    });
  }

  stop(): void {
    this.task?.cancel();
    this.task = null;
  }

  /** Reads what was appended since the last poll (a file that shrank is read from its start). */
  poll(): void {
    for (const s of this.sources()) {
      const size = sizeOf(s.file);
      let from = this.offsets.get(s.file) ?? 0;
      if (size < from) from = 0; // rotated or truncated
      if (size === from) continue;
      const buf = Buffer.alloc(size - from);
      let fd: number | null = null;
      try {
        fd = fs.openSync(s.file, 'r');
        fs.readSync(fd, buf, 0, buf.length, from);
      } catch {
        continue;
      } finally {
        if (fd !== null) fs.closeSync(fd);
      }
      this.offsets.set(s.file, size);
      const text = (this.partial.get(s.file) ?? '') + buf.toString('utf8');
      const lines = text.split('\n');
      this.partial.set(s.file, lines.pop() ?? '');
      for (const l of lines) {
        const parsed = parseStateChangeLine(l);
        if (parsed) this.onLine(s.brokerId, parsed);
      }
    }
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

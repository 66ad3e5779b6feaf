/**
 * RepeatedWarning: a failure that repeats on every retry (a peer host that does not
 * resolve, a broker that is down) is one WARN line, then again at most every `repeatMs`
 * with how many times it happened meanwhile (`failuresSinceLastWarning`); the repeats in
 * between log at DEBUG. A different failure warns at once; `reset()` (a success) ends the
 * streak. Reads the injected clock.
 */
import type { LogFields, Logger } from './Logger';
import { SystemTime, type Time } from './time';

/** How often the same failure is warned about again (30 s). */
export const WARN_REPEAT_MS = 30000;

export class RepeatedWarning {
  private last = { text: '', atMs: 0, repeats: 0 };

  constructor(
    private readonly log: Logger,
    private readonly time: Time = SystemTime,
    private readonly repeatMs: number = WARN_REPEAT_MS,
  ) {}

  /** Logs `msg` with `fields` and `error`: WARN unless `error` was warned about within repeatMs. */
  warn(msg: string, error: string, fields: LogFields = {}): void {
    const now = this.time.milliseconds();
    const w = this.last;
    const all = { ...fields, error };
    if (error === w.text && now - w.atMs < this.repeatMs) {
      w.repeats++;
      this.log.debug(msg, all);
      return;
    }
    const repeats = error === w.text ? { failuresSinceLastWarning: w.repeats } : {};
    this.log.warn(msg, { ...all, ...repeats });
    this.last = { text: error, atMs: now, repeats: 0 };
  }

  /** The failure stopped (a request went through): the next one warns at once. */
  reset(): void {
    this.last = { text: '', atMs: 0, repeats: 0 };
  }
}

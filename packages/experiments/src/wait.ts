/** Waiting on the injected clock without leaving timers behind (a finished run must let the process exit). */
import type { ScheduledTask, Time } from '@kzoo/common';

/** Resolves with `p`'s value, or with `fallback` after `ms`; the timer is cancelled either way. */
export function within<T, F>(time: Time, p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let task: ScheduledTask | undefined;
  const timeout = new Promise<F>(
    (r) => (task = time.schedule('experiment deadline', () => r(fallback), ms)),
  );
  return Promise.race([p, timeout]).finally(() => task?.cancel());
}

/** A pause that ends early when `stop` resolves. */
export function pause(time: Time, ms: number, stop: Promise<void>): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return within(time, stop, ms, undefined);
}

/**
 * How much V8 lets a kzoo process's old generation grow between full (mark-compact) GCs.
 *
 * V8 sets the next full GC at the live heap times a factor it picks from how fast its GC
 * runs against the program; a broker's live heap is small (about 14 MB) and marks fast, so
 * V8 picks a factor near 1.2 and starts a full GC every time the old generation grows by
 * ~3 MB. The objects of every request in flight (an acks=all produce waits for the
 * followers' next fetch) outlive a scavenge or two and get there, so under RF=3 load a
 * broker ran a full GC every ~230 ms: 37 in 2 M records, whose marking (on a helper
 * thread, competing for the same cores) and main-thread steps of up to 24 ms were ~12 %
 * of the brokers' CPU and a source of the latency tails. With the factor fixed at 4 (300 %)
 * the old generation grows to ~60 MB before a full GC: 5 in 3 M records. As Kafka's start
 * script gives the JVM a roomy heap (KAFKA_HEAP_OPTS, -Xms1G) rather than the JVM's small
 * default, kzoo's broker process sets this at start.
 *
 * `KZOO_HEAP_GROWING_PERCENT` in the environment overrides it; 0 leaves V8's own choice.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation grows by this percentage of the live heap between full GCs. */
export const KZOO_HEAP_GROWING_PERCENT = 300;

/** The percentage from `env` (KZOO_HEAP_GROWING_PERCENT) or the default; throws on a bad value. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.KZOO_HEAP_GROWING_PERCENT;
  if (v === undefined || v === '') return KZOO_HEAP_GROWING_PERCENT;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n > 10000)
    throw new Error(
      `KZOO_HEAP_GROWING_PERCENT must be an integer from 0 to 10000 (0: V8's own), got '${v}'`,
    );
  return n;
}

/** Applies heapGrowingPercent() to this process's V8 (from the next GC on); returns it. */
export function tuneProcessHeap(env: NodeJS.ProcessEnv = process.env): number {
  const percent = heapGrowingPercent(env);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

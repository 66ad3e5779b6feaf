/**
 * The argument lists of `kzoo perf produce` and `kzoo perf consume`, for the code that runs
 * them as processes (bench deploy, their integration tests).
 */

/** `perf produce` of `records` records of `recordSize` (100) bytes to `topic` at `throughput` (-1: no limit), then `extra`. */
export function perfProduceArgs(
  o: { topic: string; records: number; recordSize?: number; throughput?: number },
  ...extra: string[]
): string[] {
  return [
    'perf',
    'produce',
    '--topic',
    o.topic,
    '--num-records',
    String(o.records),
    '--record-size',
    String(o.recordSize ?? 100),
    '--throughput',
    String(o.throughput ?? -1),
    ...extra,
  ];
}

/** `perf consume` of `messages` records of `topic` from `bootstrap`, then `extra`. */
export function perfConsumeArgs(
  bootstrap: string,
  topic: string,
  messages: number,
  ...extra: string[]
): string[] {
  return [
    'perf',
    'consume',
    '--bootstrap-server',
    bootstrap,
    '--topic',
    topic,
    '--messages',
    String(messages),
    ...extra,
  ];
}

/**
 * The environment kzoo gives the Node processes it starts (brokers, `kzoo perf` tools).
 *
 * glibc's malloc hands a large block (a frame of a Fetch response: megabytes) out of fresh
 * mmap'ed pages and, once the heap's free top passes its trim threshold, gives pages back to
 * the kernel; the next frame then faults every page in again. A consumer of 2 M records of
 * 100 bytes took 47–67 k minor page faults that way, over half of them in the copy that
 * assembles a frame from socket reads, and 0.6–0.7 s of system time. With the mmap threshold
 * at 32 MiB and the trim threshold at 128 MiB the heap keeps its pages: 25–29 k faults, 0.36–
 * 0.45 s of system time, 20 % less CPU in all. As Kafka's scripts set the JVM's options
 * (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS) for its processes, kzoo sets these for its
 * own; a GLIBC_TUNABLES already in the environment is left as it is. Other C libraries
 * ignore the variable.
 */
export const KZOO_GLIBC_TUNABLES =
  'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728';

/** `env` (default: this process's) with kzoo's GLIBC_TUNABLES unless it has its own. */
export function nodeProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.GLIBC_TUNABLES !== undefined) return { ...env };
  return { ...env, GLIBC_TUNABLES: KZOO_GLIBC_TUNABLES };
}

/**
 * The node flags of the processes kzoo starts where a pause shows: its brokers (`cluster up`,
 * `broker start` of a cluster file, testkit's broker processes and process-mode cluster
 * members, the compose file's brokers) and the end-to-end latency tool of `npm run bench`:
 * V8's garbage collector on the process's own thread (`--single-threaded-gc`: no parallel
 * scavenges, no concurrent marking or sweeping on helper threads).
 *
 * A kzoo cluster runs several brokers and their clients on one machine, so a process's GC
 * helper threads compete for the cores its peers are waiting for, and each hand-off between
 * the main thread and its helpers is a thread wake-up. At the deploy bench's RF=3 acks=all
 * latency load (3 brokers and the latency tool on 2 cores, 245 k records/s) the steady-state
 * p99 was lower with the flag on all four processes in 19 of 22 runs paired with runs without
 * it (12 of 12 in two early sets; 7 of 10 with this code, medians p99 13.8 against 16.5 ms and
 * p99.9 22.8 against 26.0 ms), at the same CPU per record; on the brokers alone, in 4 of 6.
 * The throughput tools (`kzoo perf produce`, `consume`) keep V8's parallel GC: a producer at
 * full speed uses the spare core for it (1 broker, acks=1: 1.10–1.50 M records/s with the flag on the tool
 * against 1.50–1.81 M without, in 3 pairs). As Kafka's scripts give its JVMs GC options
 * (KAFKA_JVM_PERFORMANCE_OPTS), kzoo gives its processes these; `KZOO_NODE_FLAGS` in the
 * environment replaces them (empty: none). Node does not take this flag from NODE_OPTIONS,
 * nor V8 once running: a broker run by hand gets it as
 * `node --single-threaded-gc "$(command -v kzoo)" broker start ...`.
 */
export const KZOO_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/** The node flags for such a process: `env`'s KZOO_NODE_FLAGS or the default. */
export function kzooNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env.KZOO_NODE_FLAGS;
  if (own === undefined) return [...KZOO_NODE_FLAGS];
  const flags = own.split(/\s+/).filter((f) => f !== '');
  const bad = flags.find((f) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f));
  if (bad !== undefined)
    throw new Error(
      `KZOO_NODE_FLAGS must be node flags separated by spaces (like --single-threaded-gc), got '${bad}'`,
    );
  return flags;
}

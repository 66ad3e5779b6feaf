// net: per-link network faults without root.
//   LinkProxy.ts (one TCP proxy: pass, blackhole, drop, delay, reset, heal per direction),
//   NetworkFaults.ts (the named links of a cluster and the faults on them)
export * from './LinkProxy';
export * from './NetworkFaults';
export * from './ClusterLinks';

// experiments: failover experiments on a kzoo cluster.
//   history.ts (the contract), scenarios.ts + roles.ts + random.ts (seeded nemesis schedules,
//   targets by role), cluster.ts, observer.ts, Workload.ts, final-read.ts, runner.ts (a run),
//   checker/ (check(history)), report/ (terminal, JSON, HTML)
export * from './history';
export * from './random';
export * from './roles';
export * from './scenarios';
export * from './cluster';
export * from './runner';
export * from './checker';
export * from './report';

// log: one partition's log on disk and the manager over log.dirs. No network.
//   Log.ts, LogSegment.ts, indexes.ts: segments, sparse .index/.timeindex, recovery, retention
//   LogCleaner.ts, LogManager.ts, checkpoints.ts, LeaderEpochFileCache.ts, ProducerStateManager.ts, config.ts: compaction, dirs, files, idempotence state, config
export * from './config';
export * from './checkpoints';
export * from './LeaderEpochFileCache';
export * from './ProducerStateManager';
export * from './TransactionIndex';
export * from './indexes';
export * from './LogSegment';
export * from './Log';
export * from './LogCleaner';
export * from './LogManager';

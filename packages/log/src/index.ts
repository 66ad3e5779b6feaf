// log: one partition's log on disk and the manager over log.dirs. No network.
//   Log.ts, LogSegment.ts, indexes.ts: segments, sparse .index/.timeindex, recovery, retention
//   LogCleaner.ts, LogManager.ts, checkpoints.ts, LeaderEpochFileCache.ts, ProducerStateManager.ts, config.ts: compaction, dirs, files, idempotence state, config
import * as config from './config';
import * as checkpoints from './checkpoints';
import * as leaderEpochFileCache from './LeaderEpochFileCache';
import * as producerStateManager from './ProducerStateManager';
import * as transactionIndex from './TransactionIndex';
import * as indexes from './indexes';
import * as logSegment from './LogSegment';
import * as log from './Log';
import * as logCleaner from './LogCleaner';
import * as logManager from './LogManager';

export type { LogConfig } from './config';
export import ensureValidThrottledReplicaList = config.ensureValidThrottledReplicaList;
export import logConfig = config.logConfig;
export import LONG_MAX = config.LONG_MAX;
export import TOPIC_CONFIG_DEF = config.TOPIC_CONFIG_DEF;
export import LOG_CONFIG_DEFAULTS = config.LOG_CONFIG_DEFAULTS;

export type { TopicPartitionOffset, EpochEntry } from './checkpoints';
export import writeFileAtomic = checkpoints.writeFileAtomic;
export import writeFileAtomicAsync = checkpoints.writeFileAtomicAsync;
export import fsyncDirAsync = checkpoints.fsyncDirAsync;
export import fsyncDir = checkpoints.fsyncDir;
export import tpKey = checkpoints.tpKey;
export import RECOVERY_POINT_CHECKPOINT = checkpoints.RECOVERY_POINT_CHECKPOINT;
export import LOG_START_OFFSET_CHECKPOINT = checkpoints.LOG_START_OFFSET_CHECKPOINT;
export import REPLICATION_OFFSET_CHECKPOINT = checkpoints.REPLICATION_OFFSET_CHECKPOINT;
export import CLEANER_OFFSET_CHECKPOINT = checkpoints.CLEANER_OFFSET_CHECKPOINT;
export import LEADER_EPOCH_CHECKPOINT = checkpoints.LEADER_EPOCH_CHECKPOINT;
export import CLEAN_SHUTDOWN_FILE = checkpoints.CLEAN_SHUTDOWN_FILE;
export import OffsetCheckpointFile = checkpoints.OffsetCheckpointFile;
export import LeaderEpochCheckpointFile = checkpoints.LeaderEpochCheckpointFile;

export import UNDEFINED_EPOCH = leaderEpochFileCache.UNDEFINED_EPOCH;
export import UNDEFINED_EPOCH_OFFSET = leaderEpochFileCache.UNDEFINED_EPOCH_OFFSET;
export import LeaderEpochFileCache = leaderEpochFileCache.LeaderEpochFileCache;

export type {
  BatchMetadata,
  ProducerStateEntry,
  CompletedTxn,
  ProducerBatchInfo,
} from './ProducerStateManager';
export import snapshotFileName = producerStateManager.snapshotFileName;
export import readSnapshot = producerStateManager.readSnapshot;
export import NUM_BATCHES_TO_RETAIN = producerStateManager.NUM_BATCHES_TO_RETAIN;
export import PRODUCER_SNAPSHOT_SUFFIX = producerStateManager.PRODUCER_SNAPSHOT_SUFFIX;
export import ProducerStateManager = producerStateManager.ProducerStateManager;

export type { AbortedTxn } from './TransactionIndex';
export import encodeAbortedTxn = transactionIndex.encodeAbortedTxn;
export import TXN_INDEX_SUFFIX = transactionIndex.TXN_INDEX_SUFFIX;
export import ABORTED_TXN_VERSION = transactionIndex.ABORTED_TXN_VERSION;
export import ABORTED_TXN_SIZE = transactionIndex.ABORTED_TXN_SIZE;
export import TransactionIndex = transactionIndex.TransactionIndex;

export type { OffsetPosition, TimestampOffset } from './indexes';
export import OffsetIndex = indexes.OffsetIndex;
export import TimeIndex = indexes.TimeIndex;

export type { AppendedBatch, BatchLocation, SegmentOptions } from './LogSegment';
export import filenamePrefixFromOffset = logSegment.filenamePrefixFromOffset;
export import segmentFile = logSegment.segmentFile;
export import LOG_SUFFIX = logSegment.LOG_SUFFIX;
export import INDEX_SUFFIX = logSegment.INDEX_SUFFIX;
export import TIME_INDEX_SUFFIX = logSegment.TIME_INDEX_SUFFIX;
export import CLEANED_SUFFIX = logSegment.CLEANED_SUFFIX;
export import SWAP_SUFFIX = logSegment.SWAP_SUFFIX;
export import DELETED_SUFFIX = logSegment.DELETED_SUFFIX;
export import TAIL_BATCHES = logSegment.TAIL_BATCHES;
export import LogSegment = logSegment.LogSegment;

export type {
  LogOptions,
  ProducerAppendInfo,
  LogAppendInfo,
  ReadOptions,
  FetchDataInfo,
} from './Log';
export import parseTopicPartitionName = log.parseTopicPartitionName;
export import Log = log.Log;

export type { CleanOptions, CleanResult } from './LogCleaner';
export import dirtyRatio = logCleaner.dirtyRatio;
export import cleanLog = logCleaner.cleanLog;

export type { LogManagerOptions } from './LogManager';
export import acquireDirLock = logManager.acquireDirLock;
export import LOCK_FILE = logManager.LOCK_FILE;
export import LogManager = logManager.LogManager;

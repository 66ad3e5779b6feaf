/**
 * The final read of every replica: each broker's partition directory read from disk
 * (`<log.dirs>/<topic>-<p>/*.log`, whole batches, Kafka's segment layout), with its high
 * watermark from `replication-offset-checkpoint` and its log start offset from
 * `log-start-offset-checkpoint` (or the first batch). Run once the cluster has healed and
 * the producers stopped; brokers keep running (appends are whole writes, a torn tail
 * batch would be skipped).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OffsetCheckpointFile, tpKey } from '@kzoo/log';
import { iterateBatches, readBatchHeader, records } from '@kzoo/records';
import type { FinalRead, ReplicaRecord } from './history';

function checkpoint(dir: string, name: string): Map<string, number> {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return new Map();
  try {
    return new OffsetCheckpointFile(file).readMap();
  } catch {
    return new Map();
  }
}

/** Reads partition `partition` of `topic` from the log dir `dataDir` of broker `brokerId`. */
export function readReplica(
  brokerId: number,
  dataDir: string,
  topic: string,
  partition: number,
): FinalRead {
  const dir = path.join(dataDir, tpKey(topic, partition));
  const hw = checkpoint(dataDir, 'replication-offset-checkpoint').get(tpKey(topic, partition));
  const lso = checkpoint(dataDir, 'log-start-offset-checkpoint').get(tpKey(topic, partition));
  const out: ReplicaRecord[] = [];
  let logEnd = -1;
  let first = -1;
  if (fs.existsSync(dir)) {
    const segments = fs
      .readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .sort();
    for (const seg of segments) {
      const buf = fs.readFileSync(path.join(dir, seg));
      for (const b of iterateBatches(buf)) {
        const h = readBatchHeader(b.bytes);
        if (first < 0) first = b.baseOffset;
        logEnd = Math.max(logEnd, b.lastOffset + 1);
        if (h.isControlBatch) continue;
        for (const r of records(b.bytes)) {
          out.push({
            offset: r.offset,
            key: r.key?.toString() ?? '',
            value: r.value?.toString() ?? '',
            leaderEpoch: h.partitionLeaderEpoch,
          });
        }
      }
    }
  }
  const logStartOffset = lso ?? (first >= 0 ? first : 0);
  const logEndOffset = logEnd >= 0 ? logEnd : logStartOffset;
  return {
    brokerId,
    partition,
    highWatermark: hw ?? -1,
    logEndOffset,
    logStartOffset,
    records: out,
  };
}

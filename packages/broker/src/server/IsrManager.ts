/**
 * How a partition leader commits an ISR change (Kafka's AlterIsrManager interface):
 * `AlterPartitionManager` asks the controller (inter.broker.protocol.version >= 2.7),
 * `ZkIsrManager` writes the state znode itself (older IBPs). Either way the leader's
 * `leader_epoch` stays the same; the result carries the new zkVersion.
 */
export interface IsrUpdate {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  newIsr: number[];
  /** The zkVersion of the state znode the change is based on (partitionEpoch). */
  zkVersion: number;
  /** The controller epoch of the leader's last LeaderAndIsr (kept in the znode by the ZK path). */
  controllerEpoch: number;
}

export interface IsrUpdateResult {
  /** 0 on success, else Kafka's error code (INVALID_UPDATE_VERSION, FENCED_LEADER_EPOCH, ...). */
  errorCode: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
}

export interface IsrManager {
  /**
   * Queues a change; `callback` gets the committed state or the error. Returns false
   * when a change for this partition is already under way (nothing is queued).
   */
  submit(update: IsrUpdate, callback: (result: IsrUpdateResult) => void): boolean;
  start(): void;
  shutdown(): void;
}

/** Parses `inter.broker.protocol.version` (`2.6`, `2.7-IV2`, `3.5`): true when AlterPartition is used (>= 2.7-IV2). */
export function usesAlterPartition(ibp: string): boolean {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-IV(\d+))?$/.exec(ibp.trim());
  if (!m) throw new Error(`invalid inter.broker.protocol.version ${ibp}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 2) return major > 2;
  if (minor !== 7) return minor > 7;
  return m[3] === undefined || Number(m[3]) >= 2;
}

/**
 * Where committed offsets live. kzoo keeps them where Kafka's ZooKeeper-era consumers
 * did, `/consumers/<group>/offsets/<topic>/<partition>` holding the decimal text of the
 * next offset to read (ZkOffsetStore); leader epoch and metadata strings are not kept
 * there (fetches answer -1 / null for them, as Kafka's v0 ZooKeeper path did).
 * InMemoryOffsetStore serves unit tests and single-process tools.
 */
import { KafkaZkClient } from '@kzoo/zk';
import { tpKey } from '@kzoo/common';

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface OffsetStore {
  /** Stores every offset of one commit atomically (all or none). */
  commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void>;
  /**
   * Committed offsets of the group: for `partitions` (missing ones left out), or every
   * committed partition when `partitions` is null.
   */
  fetchOffsets(
    groupId: string,
    partitions: ReadonlyArray<{ topic: string; partition: number }> | null,
  ): Promise<CommittedOffset[]>;
  /** Whether anything is stored for the group. */
  groupExists(groupId: string): Promise<boolean>;
  /** Groups with stored offsets. */
  listGroups(): Promise<string[]>;
  /** Removes everything stored for the group (DeleteGroups). */
  deleteGroup(groupId: string): Promise<void>;
}

export function validateCommittedOffsets(offsets: readonly CommittedOffset[]): void {
  for (const o of offsets) {
    if (!Number.isSafeInteger(o.offset)) {
      throw new RangeError(`invalid offset ${o.offset} for ${o.topic}-${o.partition}`);
    }
    if (!Number.isSafeInteger(o.partition) || o.partition < 0) {
      throw new RangeError(`invalid partition ${o.partition} of ${o.topic}`);
    }
  }
}

export class InMemoryOffsetStore implements OffsetStore {
  private readonly groups = new Map<string, Map<string, CommittedOffset>>();

  async commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    validateCommittedOffsets(offsets);
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Map()));
    for (const o of offsets) g.set(tpKey(o), { ...o });
  }

  async fetchOffsets(
    groupId: string,
    partitions: ReadonlyArray<{ topic: string; partition: number }> | null,
  ): Promise<CommittedOffset[]> {
    const g = this.groups.get(groupId);
    if (!g) return [];
    if (partitions === null) return sortOffsets([...g.values()].map((o) => ({ ...o })));
    const out: CommittedOffset[] = [];
    for (const p of partitions) {
      const o = g.get(tpKey(p));
      if (o) out.push({ ...o });
    }
    return out;
  }

  async groupExists(groupId: string): Promise<boolean> {
    return this.groups.has(groupId);
  }

  async listGroups(): Promise<string[]> {
    return [...this.groups.keys()].sort();
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.groups.delete(groupId);
  }
}

interface PendingCommits {
  offsets: Map<string, CommittedOffset>;
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

/**
 * Offsets in ZooKeeper through KafkaZkClient's consumer-offset operations. Group
 * commit: while one group's write is in flight, the commits that arrive for that group
 * wait and then go together in the next `multi` (the later offset of a partition wins,
 * as arrival order would have it); each resolves once its offsets are written. A
 * member committing after every poll (commitAsync) is then bounded by ZooKeeper's
 * pipelined throughput, not by one fsync per commit.
 */
export class ZkOffsetStore implements OffsetStore {
  private readonly writing = new Set<string>();
  private readonly pending = new Map<string, PendingCommits>();

  constructor(private readonly zkClient: KafkaZkClient) {}

  async commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    validateCommittedOffsets(offsets);
    if (!this.writing.has(groupId)) return this.write(groupId, offsets);
    let p = this.pending.get(groupId);
    if (!p) this.pending.set(groupId, (p = { offsets: new Map(), waiters: [] }));
    for (const o of offsets) p.offsets.set(tpKey(o), o);
    const batch = p;
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  private async write(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    this.writing.add(groupId);
    try {
      await this.zkClient.setOrCreateConsumerOffsets(groupId, offsets);
    } finally {
      this.writing.delete(groupId);
      const next = this.pending.get(groupId);
      if (next) {
        this.pending.delete(groupId);
        this.write(groupId, [...next.offsets.values()]).then(
          () => next.waiters.forEach((w) => w.resolve()),
          (e: unknown) => next.waiters.forEach((w) => w.reject(e)),
        );
      }
    }
  }

  async fetchOffsets(
    groupId: string,
    partitions: ReadonlyArray<{ topic: string; partition: number }> | null,
  ): Promise<CommittedOffset[]> {
    if (partitions === null) return this.zkClient.getConsumerOffsets(groupId);
    const got = await Promise.all(
      partitions.map(async (p) => {
        const offset = await this.zkClient.getConsumerOffset(groupId, p.topic, p.partition);
        return offset === null ? null : { topic: p.topic, partition: p.partition, offset };
      }),
    );
    return got.filter((o): o is CommittedOffset => o !== null);
  }

  groupExists(groupId: string): Promise<boolean> {
    return this.zkClient.consumerGroupExists(groupId);
  }

  listGroups(): Promise<string[]> {
    return this.zkClient.getConsumerGroups();
  }

  deleteGroup(groupId: string): Promise<void> {
    return this.zkClient.deleteConsumerGroup(groupId);
  }
}

export function sortOffsets(list: CommittedOffset[]): CommittedOffset[] {
  return list.sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
}

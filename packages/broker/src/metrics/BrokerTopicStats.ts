/**
 * BrokerTopicStats: Kafka's `BrokerTopicStats` — bytes and messages in, bytes out, per
 * topic and for all topics, counted where Kafka counts them (ReplicaManager's append of
 * a client's produce; fetches answered to consumers, with replication traffic apart).
 * Plain numbers on the hot path; BrokerMetrics turns them into Prometheus counters on
 * each scrape.
 */

/** One topic's counts (or the broker's, all topics together). */
export interface TopicStats {
  /** BytesInPerSec: bytes of client produce requests appended by this leader. */
  bytesIn: number;
  /** MessagesInPerSec: records in those appends (from the batch headers). */
  messagesIn: number;
  /** BytesOutPerSec: bytes answered to consumer fetches. */
  bytesOut: number;
  /** ReplicationBytesOutPerSec: bytes answered to follower fetches. */
  replicationBytesOut: number;
}

function empty(): TopicStats {
  return { bytesIn: 0, messagesIn: 0, bytesOut: 0, replicationBytesOut: 0 };
}

export class BrokerTopicStats {
  /** All topics together (Kafka's allTopicsStats). */
  readonly allTopics: TopicStats = empty();
  private readonly topics = new Map<string, TopicStats>();

  /** A leader appended a client's produce to `topic`. */
  recordAppend(topic: string, bytes: number, messages: number): void {
    const t = this.topicStats(topic);
    t.bytesIn += bytes;
    t.messagesIn += messages;
    this.allTopics.bytesIn += bytes;
    this.allTopics.messagesIn += messages;
  }

  /** A fetch answered `bytes` of `topic`, to a follower or a consumer. */
  recordFetch(topic: string, bytes: number, fromFollower: boolean): void {
    if (bytes <= 0) return;
    const t = this.topicStats(topic);
    if (fromFollower) {
      t.replicationBytesOut += bytes;
      this.allTopics.replicationBytesOut += bytes;
    } else {
      t.bytesOut += bytes;
      this.allTopics.bytesOut += bytes;
    }
  }

  /** Forgets a topic (deleted, as Kafka's removeMetrics). */
  removeTopic(topic: string): void {
    this.topics.delete(topic);
  }

  /** Per-topic counts, by topic name. */
  entries(): IterableIterator<[string, TopicStats]> {
    return this.topics.entries();
  }

  private topicStats(topic: string): TopicStats {
    let t = this.topics.get(topic);
    if (!t) {
      t = empty();
      this.topics.set(topic, t);
    }
    return t;
  }
}

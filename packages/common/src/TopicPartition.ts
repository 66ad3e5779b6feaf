/**
 * A partition of a topic, as Kafka's `org.apache.kafka.common.TopicPartition`, and the one
 * string form every kzoo package uses for it: Kafka's `toString()`, `<topic>-<partition>`
 * (also the name of the partition's log directory). The form is a safe map key: a
 * partition number has no `-`, so the last `-` always separates the two parts, whatever
 * the topic name holds.
 */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `<topic>-<partition>`: the map key, the log directory name and the form in messages. */
export function tpKey(tp: TopicPartition): string;
export function tpKey(topic: string, partition: number): string;
export function tpKey(topicOrTp: string | TopicPartition, partition?: number): string {
  return typeof topicOrTp === 'string'
    ? `${topicOrTp}-${partition}`
    : `${topicOrTp.topic}-${topicOrTp.partition}`;
}

/** The inverse of {@link tpKey}; throws on a string that is not `<topic>-<partition>`. */
export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf('-');
  const partition = i > 0 ? Number(key.slice(i + 1)) : NaN;
  if (!Number.isInteger(partition) || partition < 0 || key.slice(i + 1) !== String(partition)) {
    throw new Error(`not a topic-partition: ${JSON.stringify(key)}`);
  }
  return { topic: key.slice(0, i), partition };
}

/** By topic name, then partition number: the order Kafka's tools print partitions in. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

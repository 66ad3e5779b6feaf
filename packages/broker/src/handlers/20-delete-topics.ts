/**
 * DeleteTopics (key 20), v0: marks each topic for deletion by creating
 * `/admin/delete_topics/<t>` (Kafka's ZooKeeper path); the controller stops the
 * replicas (StopReplica with deletePartition), removes the topic's znodes and tells
 * every broker. Like Kafka's DelayedDeleteTopics, the response waits (at most
 * timeoutMs) until this broker's metadata no longer has the topic; topics still there
 * then get REQUEST_TIMED_OUT.
 * Topic errors: TOPIC_DELETION_DISABLED (`delete.topic.enable=false`),
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (a topic named twice).
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type {
  DeletableTopicResult,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleDeleteTopics(
  broker: BrokerContext,
  req: DeleteTopicsRequest,
): Promise<DeleteTopicsResponse> {
  const counts = new Map<string, number>();
  for (const t of req.topicNames) counts.set(t, (counts.get(t) ?? 0) + 1);
  const cache = broker.metadataCache;
  const responses: DeletableTopicResult[] = [];
  for (const name of req.topicNames) {
    const r: DeletableTopicResult = { name, errorCode: 0, errorMessage: null };
    responses.push(r);
    try {
      if (counts.get(name)! > 1)
        throw new KafkaError(
          'INVALID_REQUEST',
          `Delete topics request contains ${name} more than once.`,
        );
      if (!broker.settings.deleteTopicEnable)
        throw new KafkaError(
          'TOPIC_DELETION_DISABLED',
          'Topic deletion is disabled (delete.topic.enable=false).',
        );
      if (!cache.contains(name) && !(await broker.adminZkClient.topicExists(name)))
        throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
      await broker.adminZkClient.deleteTopic(name);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      r.errorCode = e.code;
      r.errorMessage = e.message;
    }
  }
  const marked = responses.filter((r) => r.errorCode === 0);
  if (req.timeoutMs > 0 && marked.length > 0) {
    const gone = () => marked.every((r) => !cache.contains(r.name));
    if (!(await cache.waitUntil(gone, req.timeoutMs))) {
      for (const r of marked) {
        if (!cache.contains(r.name)) continue;
        r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        r.errorMessage = `topic ${r.name} is marked for deletion but not yet deleted after ${req.timeoutMs} ms`;
      }
    }
  }
  return { throttleTimeMs: 0, responses };
}

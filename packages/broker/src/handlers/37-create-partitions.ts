/**
 * CreatePartitions (key 37), v0: grows topics, written through ZooKeeper as Kafka's
 * AdminZkClient.addPartitions does (`/brokers/topics/<t>` rewritten with the old and the
 * new partitions, topic id kept); the controller's data watch on that znode creates and
 * elects the new partitions. Any broker serves it (as CreateTopics here). With
 * validateOnly nothing is written. Like Kafka's DelayedCreatePartitions, the response
 * waits (at most timeoutMs) until this broker's metadata shows a leader for every
 * partition; topics still short of leaders then get REQUEST_TIMED_OUT.
 * Topic errors: INVALID_PARTITIONS (the count does not grow), UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_TOPIC_EXCEPTION (queued for deletion), INVALID_REPLICA_ASSIGNMENT,
 * INVALID_REQUEST (a topic named twice).
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsTopicResult,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleCreatePartitions(
  broker: BrokerContext,
  req: CreatePartitionsRequest,
): Promise<CreatePartitionsResponse> {
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results: CreatePartitionsTopicResult[] = [];
  const grown: Array<{ result: CreatePartitionsTopicResult; count: number }> = [];
  for (const t of req.topics) {
    const result: CreatePartitionsTopicResult = { name: t.name, errorCode: 0, errorMessage: null };
    results.push(result);
    try {
      if (counts.get(t.name)! > 1)
        throw new KafkaError(
          'INVALID_REQUEST',
          `Create partitions request from client contains ${t.name} more than once.`,
        );
      const assignment = t.assignments ? t.assignments.map((a) => a.brokerIds) : null;
      await broker.adminZkClient.addPartitions(t.name, t.count, assignment, req.validateOnly);
      grown.push({ result, count: t.count });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
      broker.logger.info('CreatePartitions refused a topic', { topic: t.name, error: e.message });
    }
  }
  if (!req.validateOnly && req.timeoutMs > 0 && grown.length > 0) {
    const cache = broker.metadataCache;
    const ready = () => grown.every((g) => cache.hasLeaders(g.result.name, g.count));
    if (!(await cache.waitUntil(ready, req.timeoutMs))) {
      for (const g of grown) {
        if (cache.hasLeaders(g.result.name, g.count)) continue;
        g.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        g.result.errorMessage = `partitions of ${g.result.name} were added but their leaders were not elected within ${req.timeoutMs} ms`;
      }
    }
  }
  return { throttleTimeMs: 0, results };
}

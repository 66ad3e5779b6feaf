// assignors: the client-side partition assignors the group leader runs (Kafka's clients/consumer).
//   assignor.ts (interface, member order), RangeAssignor.ts, RoundRobinAssignor.ts, StickyAssignor.ts;
//   consumer-protocol.ts (Subscription/Assignment bytes, msgpackr)
import { KafkaError } from '@kzoo/common';
import type { ConsumerPartitionAssignor } from './assignor';

import { RangeAssignor } from './RangeAssignor';
import { RoundRobinAssignor } from './RoundRobinAssignor';
import { StickyAssignor } from './StickyAssignor';

export type { ConsumerPartitionAssignor, MemberInfo } from './assignor';
export { compareMembers } from './assignor';
export * from './consumer-protocol';
export { RangeAssignor } from './RangeAssignor';
export { RoundRobinAssignor } from './RoundRobinAssignor';
export {
  StickyAssignor,
  stickyAssign,
  encodeStickyUserData,
  decodeStickyUserData,
  type StickyUserData,
} from './StickyAssignor';

const BY_NAME: Record<string, () => ConsumerPartitionAssignor> = {
  range: () => new RangeAssignor(),
  roundrobin: () => new RoundRobinAssignor(),
  sticky: () => new StickyAssignor(),
  'org.apache.kafka.clients.consumer.RangeAssignor': () => new RangeAssignor(),
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': () => new RoundRobinAssignor(),
  'org.apache.kafka.clients.consumer.StickyAssignor': () => new StickyAssignor(),
};

/**
 * Assignors for `partition.assignment.strategy` (a list or comma-separated names, by
 * protocol name or Kafka class name), in order of preference.
 */
export function createAssignors(
  strategy: string | readonly string[] = 'range',
): ConsumerPartitionAssignor[] {
  const names = (typeof strategy === 'string' ? strategy.split(',') : strategy)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) {
    throw new KafkaError('INVALID_CONFIG', 'partition.assignment.strategy names no assignor');
  }
  return names.map((n) => {
    const make = BY_NAME[n];
    if (!make) {
      throw new KafkaError(
        'INVALID_CONFIG',
        `partition.assignment.strategy: unknown assignor ${JSON.stringify(n)} (known: range, roundrobin, sticky)`,
      );
    }
    return make();
  });
}

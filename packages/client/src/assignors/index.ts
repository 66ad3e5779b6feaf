// assignors: the client-side partition assignors the group leader runs (Kafka's clients/consumer).
//   assignor.ts (interface, member order), RangeAssignor.ts, RoundRobinAssignor.ts, StickyAssignor.ts;
//   consumer-protocol.ts (Subscription/Assignment bytes, msgpackr)
import { KafkaError } from '@kzoo/common';
import type { ConsumerPartitionAssignor } from './assignor';

import { RangeAssignor } from './RangeAssignor';
import { RoundRobinAssignor } from './RoundRobinAssignor';
import { StickyAssignor } from './StickyAssignor';
import * as assignor from './assignor';
import * as consumerProtocol from './consumer-protocol';
import * as rangeAssignor from './RangeAssignor';
import * as roundRobinAssignor from './RoundRobinAssignor';
import * as stickyAssignor from './StickyAssignor';

export type { ConsumerPartitionAssignor, MemberInfo } from './assignor';

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

export import compareMembers = assignor.compareMembers;

export type { Subscription, Assignment } from './consumer-protocol';
export import groupByTopic = consumerProtocol.groupByTopic;
export import encodeSubscription = consumerProtocol.encodeSubscription;
export import decodeSubscription = consumerProtocol.decodeSubscription;
export import encodeAssignment = consumerProtocol.encodeAssignment;
export import decodeAssignment = consumerProtocol.decodeAssignment;
export import CONSUMER_PROTOCOL_TYPE = consumerProtocol.CONSUMER_PROTOCOL_TYPE;

export import RangeAssignor = rangeAssignor.RangeAssignor;

export import RoundRobinAssignor = roundRobinAssignor.RoundRobinAssignor;

export type { StickyUserData } from './StickyAssignor';
export import StickyAssignor = stickyAssignor.StickyAssignor;
export import stickyAssign = stickyAssignor.stickyAssign;
export import encodeStickyUserData = stickyAssignor.encodeStickyUserData;
export import decodeStickyUserData = stickyAssignor.decodeStickyUserData;

import { kafkaZkContract } from './KafkaZk.contract';
import { InMemoryZooKeeper } from './InMemoryKafkaZkClient';

kafkaZkContract('InMemoryKafkaZkClient', () => {
  const zookeeper = new InMemoryZooKeeper();
  return { session: async () => zookeeper.newClient() };
});

import { KafkaZkClient } from '@kzoo/zk';
import { connectTestSession, zkConnectForTest } from '@kzoo/testkit/jest';
import { kafkaZkContract } from '../src/KafkaZk.contract';

kafkaZkContract('KafkaZkClient on ZooKeeper', () => {
  const connectString = zkConnectForTest();
  return {
    session: async () =>
      new KafkaZkClient(await connectTestSession({ connectString, sessionTimeoutMs: 4000 })),
  };
});

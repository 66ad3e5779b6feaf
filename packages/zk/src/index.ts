// zk: ZooKeeper for kzoo, the way Kafka uses it.
//   session.ts (ZkSession: promise API, typed errors, watches, re-session after expiry)
//   znodes.ts (Kafka's znode paths + JSON codecs), KafkaZkClient.ts (Kafka's ZK operations)
export * from './errors';
export * from './session';
export * from './znodes';
export * from './ibp';
export * from './KafkaZk';
export * from './KafkaZkClient';
export * from './InMemoryKafkaZkClient';

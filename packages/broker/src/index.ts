// broker: the kzoo broker (Kafka's KafkaServer) as a library object.
//   Broker.ts (startup/shutdown, components), config.ts (KafkaConfig, Kafka's keys/defaults),
//   controller/ (KafkaController, ControllerEventManager), server/ (meta.properties),
//   coordinator/group/ (GroupCoordinator, committed offsets in ZooKeeper)
export * from './config';
export * from './Broker';
export * from './controller/ControllerEventManager';
export * from './controller/KafkaController';
export * from './server/BrokerMetadata';
export * from './coordinator/group';

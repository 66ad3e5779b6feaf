// broker: the kzoo broker (Kafka's KafkaServer) as a library object.
//   Broker.ts (startup/shutdown, components), config.ts (KafkaConfig, Kafka's keys/defaults),
//   controller/ (KafkaController, ControllerEventManager), server/ (meta.properties),
//   coordinator/group/ (GroupCoordinator, committed offsets in ZooKeeper)
export * from './config';
export * from './Broker';
export * from './controller/ControllerEventManager';
export * from './controller/KafkaController';
export * from './server/BrokerMetadata';
export * from './server/DataPlane';
export * from './server/KafkaApis';
export * from './server/MetadataCache';
export * from './server/ReplicaManager';
export * from './server/Partition';
export * from './server/LogStore';
export * from './server/DelayedOperation';
export * from './server/DelayedOps';
export * from './admin/AdminZkClient';
export * from './admin/AdminUtils';
export * from './admin/Topic';
export * from './controller/ControllerPartitions';
export * from './controller/states';
export * from './coordinator/group';

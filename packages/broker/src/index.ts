// broker: the kzoo broker (Kafka's KafkaServer) as a library object.
//   Broker.ts, config.ts, network/ (SocketServer), server/ (DataPlane, KafkaApis, ReplicaManager, Partition, fetchers, ISR managers)
//   handlers/ (one file per API), admin/ (AdminZkClient, topic rules), controller/ (KafkaController, state machines, elections), coordinator/group/ (GroupCoordinator), coordinator/transaction/ (TransactionCoordinator)
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

export * from './server/ProducerIdManager';
export * from './server/Replica';
export * from './server/ReplicaFetcherManager';
export * from './server/ReplicaFetcherThread';
export * from './server/IsrManager';
export * from './server/AlterPartitionManager';
export * from './server/ZkIsrManager';
export * from './server/ProducerIdManager';

export * from './server/Timer';
export * from './server/DelayedOperation';
export * from './server/DelayedFetch';
export * from './server/DelayedProduce';
export * from './admin/AdminZkClient';
export * from './admin/AdminUtils';
export * from './admin/Topic';
export * from './controller/ControllerPartitions';
export * from './controller/AlterPartitionHandler';
export * from './controller/states';
export * from './network';
export * from './coordinator/group';
export * from './metrics';
export * from './coordinator/transaction';

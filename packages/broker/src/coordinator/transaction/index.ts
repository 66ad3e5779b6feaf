// coordinator/transaction: the transaction coordinator (Kafka's kafka.coordinator.transaction).
//   TransactionMetadata (states), TransactionLog (__transaction_state records), TransactionCoordinator (the protocol, markers, timeouts, loading),
//   WriteTxnMarkers (partition leader side), InterBrokerChannel, TransactionConfig, the Broker component
export * from './TransactionMetadata';
export * from './TransactionLog';
export * from './TransactionConfig';
export * from './TransactionCoordinator';
export * from './WriteTxnMarkers';
export * from './InterBrokerChannel';
export * from './TransactionCoordinatorComponent';

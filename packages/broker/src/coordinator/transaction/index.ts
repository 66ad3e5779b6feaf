// coordinator/transaction: the transaction coordinator (Kafka's kafka.coordinator.transaction).
//   TransactionMetadata (states), TransactionLog (__transaction_state records), TransactionCoordinator (the protocol, markers, timeouts, loading),
//   WriteTxnMarkers (partition leader side), InterBrokerChannel, TransactionConfig, the Broker component
import * as transactionMetadata from './TransactionMetadata';
import * as transactionLog from './TransactionLog';
import * as transactionConfig from './TransactionConfig';
import * as transactionCoordinator from './TransactionCoordinator';
import * as writeTxnMarkersModule from './WriteTxnMarkers';
import * as interBrokerChannel from './InterBrokerChannel';
import * as transactionCoordinatorComponent from './TransactionCoordinatorComponent';

export type { TransactionState, PendingOffset, TxnTransitMetadata } from './TransactionMetadata';
export import transactionStateOf = transactionMetadata.transactionStateOf;
export import TransactionStateIds = transactionMetadata.TransactionStateIds;
export import TRANSACTION_STATES = transactionMetadata.TRANSACTION_STATES;
export import VALID_PREVIOUS_TXN_STATES = transactionMetadata.VALID_PREVIOUS_TXN_STATES;
export import TransactionMetadata = transactionMetadata.TransactionMetadata;

export import encodeTxnKey = transactionLog.encodeTxnKey;
export import decodeTxnKey = transactionLog.decodeTxnKey;
export import encodeTxnValue = transactionLog.encodeTxnValue;
export import decodeTxnValue = transactionLog.decodeTxnValue;

export type { TransactionConfig } from './TransactionConfig';
export import transactionConfigFrom = transactionConfig.transactionConfigFrom;
export import TRANSACTION_CONFIG_KEYS = transactionConfig.TRANSACTION_CONFIG_KEYS;
export import TRANSACTION_CONFIG_DEFAULTS = transactionConfig.TRANSACTION_CONFIG_DEFAULTS;

export type {
  TransactionCoordinatorOptions,
  InitProducerIdResult,
  DescribedTransaction,
} from './TransactionCoordinator';
export import appendErrorToCoordinatorError = transactionCoordinator.appendErrorToCoordinatorError;
export import TRANSACTION_STATE_TOPIC_NAME = transactionCoordinator.TRANSACTION_STATE_TOPIC_NAME;
export import TransactionCoordinator = transactionCoordinator.TransactionCoordinator;

export import writeTxnMarkers = writeTxnMarkersModule.writeTxnMarkers;

export import InterBrokerChannel = interBrokerChannel.InterBrokerChannel;

export import TransactionCoordinatorComponent = transactionCoordinatorComponent.TransactionCoordinatorComponent;

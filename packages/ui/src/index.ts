// ui: the live web view of a kzoo cluster (`kzoo ui`).
//   UiServer.ts (routes, WebSocket, znode browser, fault buttons), ClusterWatcher.ts (ZooKeeper watches + broker polling),
//   events.ts (elections and ISR changes judged from state znodes), protocol.ts (messages), page/ (the browser app).
import * as uiServer from './UiServer';
import * as clusterWatcher from './ClusterWatcher';
import * as events from './events';
import * as stateChangeLog from './StateChangeLog';
import * as protocol from './protocol';

export type { FaultHandler, UiServerOptions } from './UiServer';
export import isLoopback = uiServer.isLoopback;
export import UiServer = uiServer.UiServer;

export type { ClusterWatcherOptions } from './ClusterWatcher';
export import ClusterWatcher = clusterWatcher.ClusterWatcher;

export type { EventDraft } from './events';
export import partitionEvents = events.partitionEvents;

export type { StateChangeLine, StateChangeSource } from './StateChangeLog';
export import parseStateChangeLine = stateChangeLog.parseStateChangeLine;
export import StateChangeLogTailer = stateChangeLog.StateChangeLogTailer;

export type {
  BrokerView,
  ControllerView,
  PartitionView,
  GroupOffsetView,
  GroupMemberView,
  GroupView,
  UiEventKind,
  UiEvent,
  ClusterView,
  ServerMessage,
  FaultAction,
  ZnodeView,
} from './protocol';
export import PROCESS_FAULTS = protocol.PROCESS_FAULTS;
export import LINK_FAULTS = protocol.LINK_FAULTS;

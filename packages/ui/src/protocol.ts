/**
 * What the UI server pushes to the page over its WebSocket (`/ws`), as JSON: one
 * `snapshot` on connect, then one message per change. The server (ClusterWatcher,
 * UiServer) and the page (page/reducer.ts, page/main.ts) share these types and the lists
 * of fault actions.
 */

export interface BrokerView {
  id: number;
  /** Registered in /brokers/ids now. */
  alive: boolean;
  /** `LISTENER://host:port`, as registered. */
  endpoints: string[];
  rack: string | null;
  /** czxid of the registration (KIP-380 broker epoch); -1 when not registered. */
  brokerEpoch: number;
  /** When the registration znode was created (ms), or -1. */
  registeredAtMs: number;
}

export interface ControllerView {
  /** -1: no controller. */
  brokerId: number;
  /** /controller_epoch. */
  epoch: number;
}

export interface PartitionView {
  topic: string;
  partition: number;
  /** Assignment, preferred leader first. */
  replicas: number[];
  /** From the state znode; -1: no leader. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  /** The state znode's zkVersion and mtime (-1 before it exists). */
  zkVersion: number;
  mtimeMs: number;
  /** The leader's high watermark (ListOffsets latest), -1 when unknown. */
  highWatermark: number;
  /** Log end offset per replica (each broker's kafka_log_log_logendoffset), when known. */
  logEndOffsets: Record<string, number>;
}

export interface GroupOffsetView {
  topic: string;
  partition: number;
  committed: number;
  /** The partition's high watermark; -1 when unknown. */
  end: number;
  /** end - committed, or -1 when unknown. */
  lag: number;
}

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  host: string;
  /** `topic-partition`s. */
  assignment: string[];
}

export interface GroupView {
  groupId: string;
  state: string;
  protocol: string;
  coordinator: number;
  members: GroupMemberView[];
  offsets: GroupOffsetView[];
}

export type UiEventKind =
  | 'controller'
  | 'election'
  | 'isr'
  | 'broker'
  | 'topic'
  | 'fault'
  /** A line of a broker's state-change log. */
  | 'state-change';

export interface UiEvent {
  seq: number;
  /** When the UI server saw it (ms since the epoch). */
  timeMs: number;
  kind: UiEventKind;
  text: string;
  /** For elections: clean, unclean, preferred, controlled-shutdown, offline. */
  election?: string;
  topic?: string;
  partition?: number;
  /** The znode's mtime, when the event comes from a znode write. */
  zkMtimeMs?: number;
}

export interface ClusterView {
  zk: string;
  clusterId: string | null;
  brokers: BrokerView[];
  controller: ControllerView;
  partitions: PartitionView[];
  groups: GroupView[];
  /** Fault buttons are on (a local cluster started by `kzoo cluster up` or `kzoo experiment`). */
  faults: boolean;
  /** The fault buttons offered (default: the process faults, PROCESS_FAULTS). */
  faultActions?: FaultAction[];
}

export type ServerMessage =
  | { type: 'snapshot'; state: ClusterView; events: UiEvent[] }
  | { type: 'brokers'; brokers: BrokerView[] }
  | { type: 'controller'; controller: ControllerView }
  | { type: 'partition'; partition: PartitionView }
  | { type: 'partitionRemoved'; topic: string; partition: number }
  | { type: 'groups'; groups: GroupView[] }
  | {
      type: 'offsets';
      highWatermarks: Record<string, number>;
      logEndOffsets: Record<string, Record<string, number>>;
    }
  | { type: 'event'; event: UiEvent };

/**
 * Process faults (any local cluster) and, for a cluster whose links run through per-link
 * proxies (`kzoo experiment run --ui`), the experiment's link faults: cut the broker off
 * from ZooKeeper, from the other brokers or from the clients, and heal its links.
 */
export type FaultAction =
  | 'kill'
  | 'pause'
  | 'resume'
  | 'restart'
  | 'isolate-zookeeper'
  | 'isolate-brokers'
  | 'isolate-clients'
  | 'heal';

export const PROCESS_FAULTS: readonly FaultAction[] = ['kill', 'pause', 'resume', 'restart'];
export const LINK_FAULTS: readonly FaultAction[] = [
  'isolate-zookeeper',
  'isolate-brokers',
  'isolate-clients',
  'heal',
];

/** One node of the znode browser (GET /api/znode?path=...). */
export interface ZnodeView {
  path: string;
  children: string[];
  /** The data as text (null: no data), and parsed when it is JSON. */
  data: string | null;
  json: unknown;
  stat: Record<string, unknown> | null;
}

/**
 * The page's state and its reducer: a pure function from (state, server message) to the
 * next state, plus the derived views the page draws (under-replicated and offline
 * partitions, topics grouped). No DOM here: unit-tested with jest (reducer.test.ts).
 */
import type { ClusterView, PartitionView, ServerMessage, UiEvent } from '../protocol.js';

/** Events kept in the feed. */
export const MAX_EVENTS = 200;

export interface PageState {
  connected: boolean;
  cluster: ClusterView | null;
  /** Newest first. */
  events: UiEvent[];
}

export const initialState: PageState = { connected: false, cluster: null, events: [] };

function key(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function sortPartitions(ps: PartitionView[]): PartitionView[] {
  return [...ps].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}

/** Applies one server message. Messages before the snapshot are ignored. */
export function reduce(state: PageState, msg: ServerMessage): PageState {
  if (msg.type === 'snapshot')
    return {
      connected: true,
      cluster: { ...msg.state, partitions: sortPartitions(msg.state.partitions) },
      events: [...msg.events].sort((a, b) => b.seq - a.seq).slice(0, MAX_EVENTS),
    };
  const c = state.cluster;
  if (!c) return state;
  switch (msg.type) {
    case 'brokers':
      return { ...state, cluster: { ...c, brokers: [...msg.brokers].sort((a, b) => a.id - b.id) } };
    case 'controller':
      return { ...state, cluster: { ...c, controller: msg.controller } };
    case 'partition': {
      const p = msg.partition;
      const k = key(p.topic, p.partition);
      const old = c.partitions.find((x) => key(x.topic, x.partition) === k);
      // A state change does not carry offsets: keep the last ones known.
      const merged: PartitionView = old
        ? {
            ...p,
            highWatermark: p.highWatermark >= 0 ? p.highWatermark : old.highWatermark,
            logEndOffsets:
              Object.keys(p.logEndOffsets).length > 0 ? p.logEndOffsets : old.logEndOffsets,
          }
        : p;
      const rest = c.partitions.filter((x) => key(x.topic, x.partition) !== k);
      return { ...state, cluster: { ...c, partitions: sortPartitions([...rest, merged]) } };
    }
    case 'partitionRemoved': {
      const k = key(msg.topic, msg.partition);
      return {
        ...state,
        cluster: { ...c, partitions: c.partitions.filter((x) => key(x.topic, x.partition) !== k) },
      };
    }
    case 'groups':
      return { ...state, cluster: { ...c, groups: msg.groups } };
    case 'offsets':
      return {
        ...state,
        cluster: {
          ...c,
          partitions: c.partitions.map((p) => {
            const k = key(p.topic, p.partition);
            const hw = msg.highWatermarks[k];
            const leo = msg.logEndOffsets[k];
            if (hw === undefined && leo === undefined) return p;
            return {
              ...p,
              highWatermark: hw ?? p.highWatermark,
              logEndOffsets: leo ?? p.logEndOffsets,
            };
          }),
        },
      };
    case 'event':
      if (state.events.some((e) => e.seq === msg.event.seq)) return state;
      return { ...state, events: [msg.event, ...state.events].slice(0, MAX_EVENTS) };
  }
}

/** The socket closed: keep the last state, marked stale. */
export function disconnected(state: PageState): PageState {
  return { ...state, connected: false };
}

export type PartitionHealth = 'ok' | 'under-replicated' | 'offline';

/**
 * Kafka's definitions: offline when there is no leader or the leader is not a live
 * broker (OfflinePartitionsCount); under-replicated when the ISR is smaller than the
 * replica set (UnderReplicatedPartitions).
 */
export function partitionHealth(
  p: PartitionView,
  liveBrokers: ReadonlySet<number>,
): PartitionHealth {
  if (p.leader < 0 || !liveBrokers.has(p.leader)) return 'offline';
  if (p.isr.length < p.replicas.length) return 'under-replicated';
  return 'ok';
}

export interface Summary {
  liveBrokers: number;
  deadBrokers: number;
  partitions: number;
  underReplicated: number;
  offline: number;
  totalLag: number;
}

export function summarize(c: ClusterView): Summary {
  const live = new Set(c.brokers.filter((b) => b.alive).map((b) => b.id));
  let underReplicated = 0;
  let offline = 0;
  for (const p of c.partitions) {
    const h = partitionHealth(p, live);
    if (h === 'offline') offline++;
    else if (h === 'under-replicated') underReplicated++;
  }
  let totalLag = 0;
  for (const g of c.groups) for (const o of g.offsets) if (o.lag > 0) totalLag += o.lag;
  return {
    liveBrokers: live.size,
    deadBrokers: c.brokers.length - live.size,
    partitions: c.partitions.length,
    underReplicated,
    offline,
    totalLag,
  };
}

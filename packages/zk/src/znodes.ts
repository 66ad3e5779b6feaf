/**
 * Kafka's ZooKeeper layout, in one place (Kafka's `kafka/zk/ZkData.scala`): one object
 * per znode with `path(...)` and, where the node has data, `encode()` / `decode()`.
 * The JSON is what Kafka 2.8–3.x in ZooKeeper mode writes, field for field, including
 * its quirks: `/cluster/id` has `"version":"1"` (a string), timestamps and producer-id
 * block bounds are strings, `/controller_epoch` and consumer offsets are plain decimal
 * text, broker registrations are v5 (`features`, `listener_security_protocol_map`),
 * topic assignments v3 (`topic_id`, `adding_replicas`, `removing_replicas`).
 * Decoders ignore key order and accept the older versions Kafka accepts.
 */
import { randomBytes } from 'node:crypto';
import { type TopicPartition } from '@kzoo/common';

export class ZNodeDecodeError extends Error {
  constructor(what: string, detail: string, raw?: Buffer | string | null) {
    const text = raw === undefined ? '' : `: ${raw === null ? 'null' : String(raw).slice(0, 200)}`;
    super(`cannot decode ${what} (${detail})${text}`);
    this.name = 'ZNodeDecodeError';
  }
}

export type { TopicPartition } from '@kzoo/common';

type Json = Record<string, unknown>;

function utf8(bytes: Buffer | string | null): string {
  if (bytes === null) return '';
  return typeof bytes === 'string' ? bytes : bytes.toString('utf8');
}

function parseJson(what: string, bytes: Buffer | string | null): Json {
  if (bytes === null || bytes.length === 0) throw new ZNodeDecodeError(what, 'no data', bytes);
  let v: unknown;
  try {
    v = JSON.parse(utf8(bytes));
  } catch (e) {
    throw new ZNodeDecodeError(what, (e as Error).message, bytes);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ZNodeDecodeError(what, 'not a JSON object', bytes);
  }
  return v as Json;
}

function int(what: string, obj: Json, key: string): number {
  const v = obj[key];
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new ZNodeDecodeError(what, `field ${key} is not an integer: ${JSON.stringify(v)}`);
  }
  return n;
}

function intList(what: string, v: unknown, key: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x))) {
    throw new ZNodeDecodeError(
      what,
      `field ${key} is not a list of integers: ${JSON.stringify(v)}`,
    );
  }
  return v as number[];
}

function str(what: string, obj: Json, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string') {
    throw new ZNodeDecodeError(what, `field ${key} is not a string: ${JSON.stringify(v)}`);
  }
  return v;
}

function checkVersion(what: string, version: number, min: number, max: number): void {
  if (version < min || version > max) {
    throw new ZNodeDecodeError(what, `unsupported version ${version} (supported ${min}..${max})`);
  }
}

/** Rejects names that would escape their parent znode. */
function segment(kind: string, name: string): string {
  if (!name || name.includes('/') || name === '.' || name === '..') {
    throw new Error(`invalid ${kind} name for a znode path: ${JSON.stringify(name)}`);
  }
  return name;
}

function nonNegativeInt(kind: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid ${kind}: ${n}`);
  return n;
}

/** A Kafka Uuid as Kafka prints it: 16 random bytes, URL-safe base64 without padding (22 chars). */
export function randomKafkaUuid(): string {
  for (;;) {
    const s = randomBytes(16).toString('base64url');
    // Kafka avoids ids starting with '-' (they look like CLI flags) and the all-zero id.
    if (!s.startsWith('-') && s !== 'AAAAAAAAAAAAAAAAAAAAAA') return s;
  }
}

// ---------------------------------------------------------------- endpoints

export interface EndPoint {
  /** Listener name, e.g. PLAINTEXT, CLIENT, REPLICATION. */
  listenerName: string;
  host: string;
  port: number;
  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  securityProtocol: string;
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** `LISTENER://host:port` (IPv6 hosts in brackets), as in `endpoints` and `listeners`. */
export function endpointString(ep: EndPoint): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${ep.listenerName}://${host}:${ep.port}`;
}

/**
 * Parses `LISTENER://host:port` (Kafka's EndPoint.createEndPoint). The security protocol
 * comes from `securityProtocolMap`, else the listener name must be a protocol name.
 */
export function parseEndpoint(s: string, securityProtocolMap?: Record<string, string>): EndPoint {
  const m = /^([A-Za-z0-9_-]+):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(-?\d+)$/.exec(s.trim());
  if (!m)
    throw new Error(
      `unable to parse endpoint ${JSON.stringify(s)} (expected LISTENER://host:port)`,
    );
  const listenerName = m[1].toUpperCase();
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid port in endpoint ${JSON.stringify(s)}`);
  }
  const securityProtocol =
    securityProtocolMap?.[listenerName] ??
    (SECURITY_PROTOCOLS.includes(listenerName) ? listenerName : undefined);
  if (!securityProtocol) {
    throw new Error(
      `no security protocol for listener ${listenerName} in ${JSON.stringify(s)} (add it to listener.security.protocol.map)`,
    );
  }
  return { listenerName, host: m[2], port, securityProtocol };
}

// ---------------------------------------------------------------- cluster

export const ClusterZNode = { path: () => '/cluster' };

export const ClusterIdZNode = {
  path: () => `${ClusterZNode.path()}/id`,
  /** `{"version":"1","id":"..."}`: the version is a string in Kafka. */
  encode(id: string): string {
    return JSON.stringify({ version: '1', id });
  },
  decode(bytes: Buffer | string | null): string {
    return str('/cluster/id', parseJson('/cluster/id', bytes), 'id');
  },
};

// ---------------------------------------------------------------- brokers

export const BrokersZNode = { path: () => '/brokers' };
export const BrokerIdsZNode = { path: () => `${BrokersZNode.path()}/ids` };
/** Broker id generation: only its dataVersion is used (id = version + reserved.broker.max.id). */
export const BrokerSequenceIdZNode = { path: () => `${BrokersZNode.path()}/seqid` };

export interface SupportedFeature {
  min_version: number;
  max_version: number;
}

export interface BrokerInfo {
  id: number;
  /** Advertised endpoints, in listener order. */
  endpoints: EndPoint[];
  rack?: string | null;
  /** -1 when unset. */
  jmxPort?: number;
  /** Registration JSON version: 5 by default (Kafka ≥ 2.7). */
  version?: number;
  features?: Record<string, SupportedFeature>;
}

/** A decoded `/brokers/ids/<id>`; `timestamp` is the registration time (ms). */
export interface BrokerRegistration extends Required<Omit<BrokerInfo, 'rack'>> {
  rack: string | null;
  timestamp: number | null;
  /** The top-level host/port Kafka keeps for old clients (first PLAINTEXT endpoint). */
  host: string | null;
  port: number;
}

export const BrokerIdZNode = {
  path: (id: number) => `/brokers/ids/${nonNegativeInt('broker id', id)}`,
  /**
   * Kafka's v4/v5 registration JSON. Key order follows what Kafka's (hash-ordered)
   * map produces in practice; readers must not depend on it.
   */
  encode(info: BrokerInfo, timestampMs: number): string {
    const version = info.version ?? 5;
    if (version < 4 || version > 5)
      throw new Error(`cannot encode broker registration v${version}`);
    const plaintext = info.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const out: Json = {};
    if (version >= 5) out.features = info.features ?? {};
    out.listener_security_protocol_map = Object.fromEntries(
      info.endpoints.map((e) => [e.listenerName, e.securityProtocol]),
    );
    out.endpoints = info.endpoints.map(endpointString);
    // Kafka's mutable.HashMap (Scala 2.13) iterates by the keys' hash buckets: `rack`
    // lands between `endpoints` and `jmx_port`.
    if (info.rack) out.rack = info.rack;
    out.jmx_port = info.jmxPort ?? -1;
    out.port = plaintext ? plaintext.port : -1;
    out.host = plaintext ? plaintext.host : null;
    out.version = version;
    out.timestamp = String(timestampMs);
    return JSON.stringify(out);
  },
  decode(id: number, bytes: Buffer | string | null): BrokerRegistration {
    const what = `/brokers/ids/${id}`;
    const js = parseJson(what, bytes);
    const version = int(what, js, 'version');
    checkVersion(what, version, 1, 5);
    const jmxPort = js.jmx_port === undefined ? -1 : int(what, js, 'jmx_port');
    const host = typeof js.host === 'string' ? js.host : null;
    const port = js.port === undefined || js.port === null ? -1 : int(what, js, 'port');
    let endpoints: EndPoint[];
    if (version === 1) {
      if (host === null) throw new ZNodeDecodeError(what, 'v1 registration without host');
      endpoints = [{ listenerName: 'PLAINTEXT', host, port, securityProtocol: 'PLAINTEXT' }];
    } else {
      const map = js.listener_security_protocol_map as Record<string, string> | undefined;
      const list = js.endpoints;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
        throw new ZNodeDecodeError(what, 'field endpoints is not a list of strings');
      }
      try {
        endpoints = list.map((s: string) => parseEndpoint(s, map));
      } catch (e) {
        throw new ZNodeDecodeError(what, (e as Error).message);
      }
    }
    const ts = js.timestamp;
    const timestamp =
      typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : typeof ts === 'number' ? ts : null;
    const features = (js.features ?? {}) as Record<string, SupportedFeature>;
    return {
      id,
      endpoints,
      rack: typeof js.rack === 'string' ? js.rack : null,
      jmxPort,
      version,
      features,
      timestamp,
      host,
      port,
    };
  },
};

// ---------------------------------------------------------------- topics

export interface ReplicaAssignment {
  /** Replica ids in preference order; the first is the preferred leader. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface TopicAssignment {
  topicId: string | null;
  /** partition -> assignment */
  partitions: Map<number, ReplicaAssignment>;
}

export const TopicsZNode = { path: () => `${BrokersZNode.path()}/topics` };

function partitionKeyed(what: string, v: unknown, key: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new ZNodeDecodeError(what, `field ${key} is not an object`);
  }
  for (const [p, replicas] of Object.entries(v as Json)) {
    if (!/^\d+$/.test(p))
      throw new ZNodeDecodeError(what, `bad partition key ${JSON.stringify(p)} in ${key}`);
    out.set(Number(p), intList(what, replicas, `${key}.${p}`));
  }
  return out;
}

export const TopicZNode = {
  path: (topic: string) => `/brokers/topics/${segment('topic', topic)}`,
  /**
   * Always v3, as Kafka 2.8+ writes it (`topic_id` only when the topic has an id).
   * Partitions in numeric order.
   */
  encode(assignment: TopicAssignment): string {
    const parts = [...assignment.partitions.entries()].sort((a, b) => a[0] - b[0]);
    const out: Json = {
      partitions: Object.fromEntries(parts.map(([p, a]) => [String(p), a.replicas])),
    };
    if (assignment.topicId) out.topic_id = assignment.topicId;
    out.adding_replicas = Object.fromEntries(
      parts
        .filter(([, a]) => a.addingReplicas.length > 0)
        .map(([p, a]) => [String(p), a.addingReplicas]),
    );
    out.removing_replicas = Object.fromEntries(
      parts
        .filter(([, a]) => a.removingReplicas.length > 0)
        .map(([p, a]) => [String(p), a.removingReplicas]),
    );
    out.version = 3;
    return JSON.stringify(out);
  },
  decode(topic: string, bytes: Buffer | string | null): TopicAssignment {
    const what = `/brokers/topics/${topic}`;
    const js = parseJson(what, bytes);
    const version = int(what, js, 'version');
    checkVersion(what, version, 1, 3);
    const replicas = partitionKeyed(what, js.partitions, 'partitions');
    const adding = partitionKeyed(what, js.adding_replicas, 'adding_replicas');
    const removing = partitionKeyed(what, js.removing_replicas, 'removing_replicas');
    const partitions = new Map<number, ReplicaAssignment>();
    for (const [p, r] of [...replicas.entries()].sort((a, b) => a[0] - b[0])) {
      partitions.set(p, {
        replicas: r,
        addingReplicas: adding.get(p) ?? [],
        removingReplicas: removing.get(p) ?? [],
      });
    }
    const topicId = typeof js.topic_id === 'string' ? js.topic_id : null;
    return { topicId, partitions };
  },
};

export const TopicPartitionsZNode = {
  path: (topic: string) => `${TopicZNode.path(topic)}/partitions`,
};

export const TopicPartitionZNode = {
  path: (tp: TopicPartition) =>
    `${TopicPartitionsZNode.path(tp.topic)}/${nonNegativeInt('partition', tp.partition)}`,
};

/** `…/partitions/<p>/state`: LeaderAndIsr plus the controller epoch that decided it. */
export interface LeaderIsrAndControllerEpoch {
  /** -1 = no leader. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  /** 3.2+: 1 (RECOVERING) after an unclean election; written only when 1. */
  leaderRecoveryState?: 0 | 1;
}

export const TopicPartitionStateZNode = {
  path: (tp: TopicPartition) => `${TopicPartitionZNode.path(tp)}/state`,
  encode(s: LeaderIsrAndControllerEpoch): string {
    const out: Json = {
      controller_epoch: s.controllerEpoch,
      leader: s.leader,
      version: 1,
      leader_epoch: s.leaderEpoch,
      isr: s.isr,
    };
    if (s.leaderRecoveryState === 1) out.leader_recovery_state = 1;
    return JSON.stringify(out);
  },
  decode(bytes: Buffer | string | null, what = 'partition state'): LeaderIsrAndControllerEpoch {
    const js = parseJson(what, bytes);
    const out: LeaderIsrAndControllerEpoch = {
      leader: int(what, js, 'leader'),
      leaderEpoch: int(what, js, 'leader_epoch'),
      isr: intList(what, js.isr, 'isr'),
      controllerEpoch: int(what, js, 'controller_epoch'),
    };
    if (js.leader_recovery_state !== undefined) {
      const r = int(what, js, 'leader_recovery_state');
      if (r !== 0 && r !== 1) throw new ZNodeDecodeError(what, `bad leader_recovery_state ${r}`);
      out.leaderRecoveryState = r;
    }
    return out;
  },
};

// ---------------------------------------------------------------- controller

export interface ControllerRegistration {
  brokerId: number;
  timestamp: number | null;
  /** 3.4+ migration only; -1 otherwise. */
  kraftControllerEpoch: number;
}

export const ControllerZNode = {
  path: () => '/controller',
  /**
   * v1 as Kafka 2.8–3.3 write it; v2 (3.4+) adds `kraftControllerEpoch`, -1 outside a
   * KRaft migration: `{"version":2,"brokerid":1,"timestamp":"…","kraftControllerEpoch":-1}`.
   */
  encode(brokerId: number, timestampMs: number, version: 1 | 2 = 1): string {
    if (version === 1)
      return JSON.stringify({ version: 1, brokerid: brokerId, timestamp: String(timestampMs) });
    return JSON.stringify({
      version: 2,
      brokerid: brokerId,
      timestamp: String(timestampMs),
      kraftControllerEpoch: -1,
    });
  },
  decode(bytes: Buffer | string | null): ControllerRegistration {
    const js = parseJson('/controller', bytes);
    checkVersion('/controller', int('/controller', js, 'version'), 1, 2);
    const ts = js.timestamp;
    return {
      brokerId: int('/controller', js, 'brokerid'),
      timestamp: typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : null,
      kraftControllerEpoch:
        js.kraftControllerEpoch === undefined ? -1 : int('/controller', js, 'kraftControllerEpoch'),
    };
  },
};

/** Plain decimal text, not JSON. Epoch 0 means "no controller elected yet". */
export const ControllerEpochZNode = {
  path: () => '/controller_epoch',
  encode: (epoch: number): string => String(epoch),
  decode(bytes: Buffer | string | null): number {
    const s = utf8(bytes).trim();
    if (!/^\d+$/.test(s)) throw new ZNodeDecodeError('/controller_epoch', 'not an integer', bytes);
    return Number(s);
  },
};

// ---------------------------------------------------------------- notifications

export const IsrChangeNotificationZNode = { path: () => '/isr_change_notification' };

export const IsrChangeNotificationSequenceZNode = {
  prefix: 'isr_change_',
  /** Path to create (PERSISTENT_SEQUENTIAL), or of an existing child with its sequence. */
  path: (sequence = '') => `/isr_change_notification/isr_change_${sequence}`,
  encode(partitions: TopicPartition[]): string {
    return JSON.stringify({
      version: 1,
      partitions: partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
    });
  },
  decode(bytes: Buffer | string | null): TopicPartition[] {
    const what = 'isr change notification';
    const js = parseJson(what, bytes);
    if (!Array.isArray(js.partitions)) throw new ZNodeDecodeError(what, 'no partitions list');
    return js.partitions.map((p: Json) => ({
      topic: str(what, p, 'topic'),
      partition: int(what, p, 'partition'),
    }));
  },
  sequenceNumber: (path: string) =>
    path.slice(path.lastIndexOf('isr_change_') + 'isr_change_'.length),
};

export const LogDirEventNotificationZNode = { path: () => '/log_dir_event_notification' };

export const LogDirEventNotificationSequenceZNode = {
  prefix: 'log_dir_event_',
  LogDirFailureEvent: 1,
  path: (sequence = '') => `/log_dir_event_notification/log_dir_event_${sequence}`,
  encode: (brokerId: number): string => JSON.stringify({ version: 1, broker: brokerId, event: 1 }),
  decode: (bytes: Buffer | string | null): number =>
    int('log dir event', parseJson('log dir event', bytes), 'broker'),
};

// ---------------------------------------------------------------- admin

export const AdminZNode = { path: () => '/admin' };
export const DeleteTopicsZNode = { path: () => `${AdminZNode.path()}/delete_topics` };
/** `/admin/delete_topics/<t>`: no data; its existence asks the controller to delete the topic. */
export const DeleteTopicsTopicZNode = {
  path: (topic: string) => `/admin/delete_topics/${segment('topic', topic)}`,
};

/** One partition's target replicas, as in `/admin/reassign_partitions` and the tool's JSON file. */
export interface PartitionReplicas extends TopicPartition {
  replicas: number[];
}

function partitionList<T>(what: string, js: Json, item: (p: Json, i: number) => T): T[] {
  const list = js.partitions;
  if (!Array.isArray(list)) throw new ZNodeDecodeError(what, 'field partitions is not a list');
  return list.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      throw new ZNodeDecodeError(what, `partitions[${i}] is not an object`);
    return item(p as Json, i);
  });
}

/**
 * `/admin/reassign_partitions` (Kafka's ReassignPartitionsZNode, the legacy ZooKeeper
 * trigger, deprecated since 2.4 in favour of AlterPartitionReassignments but still
 * watched by the 2.8 controller): `{"version":1,"partitions":[{"topic":"t",
 * "partition":0,"replicas":[2,3,4]}]}`. The controller acts on its creation and
 * rewrites it as partitions complete, deleting it when the last one is done. The same
 * JSON is kafka-reassign-partitions' `--reassignment-json-file` (which may also carry
 * `log_dirs`, ignored here).
 */
export const ReassignPartitionsZNode = {
  path: () => `${AdminZNode.path()}/reassign_partitions`,
  encode(partitions: readonly PartitionReplicas[]): string {
    return JSON.stringify({
      version: 1,
      partitions: partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        replicas: p.replicas,
      })),
    });
  },
  decode(bytes: Buffer | string | null, what = '/admin/reassign_partitions'): PartitionReplicas[] {
    const js = parseJson(what, bytes);
    checkVersion(what, int(what, js, 'version'), 1, 1);
    return partitionList(what, js, (p, i) => ({
      topic: str(what, p, 'topic'),
      partition: int(what, p, 'partition'),
      replicas: intList(what, p.replicas, `partitions[${i}].replicas`),
    }));
  },
};

/**
 * `/admin/preferred_replica_election` (Kafka's PreferredReplicaElectionZNode):
 * `{"version":1,"partitions":[{"topic":"t","partition":0}]}`. Its creation makes the
 * 2.8 controller run a preferred election for those partitions; it deletes the znode
 * when done.
 */
export const PreferredReplicaElectionZNode = {
  path: () => `${AdminZNode.path()}/preferred_replica_election`,
  encode(partitions: readonly TopicPartition[]): string {
    return JSON.stringify({
      version: 1,
      partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    });
  },
  decode(bytes: Buffer | string | null): TopicPartition[] {
    const what = '/admin/preferred_replica_election';
    return partitionList(what, parseJson(what, bytes), (p) => ({
      topic: str(what, p, 'topic'),
      partition: int(what, p, 'partition'),
    }));
  },
};

// ---------------------------------------------------------------- config

export const ConfigZNode = { path: () => '/config' };

/** Kafka's ConfigType: the children of /config. */
export const ConfigTypes = ['topics', 'clients', 'users', 'brokers', 'ips'] as const;
export type ConfigType = (typeof ConfigTypes)[number];

/** Kafka's ConfigEntityName: `<default>` names the default entity (`/config/brokers/<default>`). */
export const ConfigEntityName = { Default: '<default>' } as const;

export const ConfigEntityTypeZNode = {
  path: (entityType: ConfigType) => `${ConfigZNode.path()}/${entityType}`,
};

/**
 * `/config/<type>/<name>`: `{"version":1,"config":{...}}`, values as strings. A user's
 * per-client quota is the one nested entity: `users/<user>/clients/<client-id>` (names
 * sanitized by the writer, `<default>` at either level).
 */
export const ConfigEntityZNode = {
  path: (entityType: ConfigType, entityName: string) => {
    const nested = entityType === 'users' ? /^([^/]+)\/clients\/([^/]+)$/.exec(entityName) : null;
    const name = nested
      ? `${segment('user', nested[1])}/clients/${segment('client-id', nested[2])}`
      : segment('config entity', entityName);
    return `${ConfigEntityTypeZNode.path(entityType)}/${name}`;
  },
  encode(config: Record<string, string>): string {
    return JSON.stringify({ version: 1, config });
  },
  decode(bytes: Buffer | string | null): Record<string, string> {
    if (bytes === null || bytes.length === 0) return {};
    const js = parseJson('config entity', bytes);
    const cfg = (js.config ?? {}) as Json;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg)) out[k] = typeof v === 'string' ? v : String(v);
    return out;
  },
};

export const ConfigEntityChangeNotificationZNode = { path: () => `${ConfigZNode.path()}/changes` };

export const ConfigEntityChangeNotificationSequenceZNode = {
  prefix: 'config_change_',
  /** Path to create with PERSISTENT_SEQUENTIAL. */
  createPath: () => `${ConfigEntityChangeNotificationZNode.path()}/config_change_`,
  /** `{"version":2,"entity_path":"topics/orders"}` */
  encode: (entityPath: string): string => JSON.stringify({ version: 2, entity_path: entityPath }),
  decode(bytes: Buffer | string | null): string {
    const what = 'config change notification';
    const js = parseJson(what, bytes);
    checkVersion(what, int(what, js, 'version'), 1, 2);
    if (typeof js.entity_path === 'string') return js.entity_path;
    // v1: {"version":1,"entity_type":"topics","entity_name":"t"}
    return `${str(what, js, 'entity_type')}/${str(what, js, 'entity_name')}`;
  },
};

// ---------------------------------------------------------------- consumers (ZK offsets)

export const ConsumerPathZNode = { path: () => '/consumers' };

/** `/consumers/<group>`: a ZooKeeper-era consumer group (its offsets, ids, owners). */
export const ConsumerGroupZNode = {
  path: (group: string) => `/consumers/${segment('group', group)}`,
};

/** `/consumers/<group>/offsets` and `/consumers/<group>/offsets/<topic>`. */
export const ConsumerGroupOffsetsZNode = {
  path: (group: string) => `${ConsumerGroupZNode.path(group)}/offsets`,
  topicPath: (group: string, topic: string) =>
    `${ConsumerGroupZNode.path(group)}/offsets/${segment('topic', topic)}`,
};

/** `/consumers/<group>/offsets/<topic>/<partition>`: the offset as decimal text. */
export const ConsumerOffset = {
  path: (group: string, topic: string, partition: number) =>
    `/consumers/${segment('group', group)}/offsets/${segment('topic', topic)}/${nonNegativeInt('partition', partition)}`,
  encode: (offset: number): string => {
    if (!Number.isSafeInteger(offset)) throw new Error(`invalid offset ${offset}`);
    return String(offset);
  },
  decode(bytes: Buffer | string | null): number | null {
    if (bytes === null) return null;
    const s = utf8(bytes).trim();
    if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
      throw new ZNodeDecodeError('consumer offset', 'not an integer', bytes);
    }
    return Number(s);
  },
};

// ---------------------------------------------------------------- producer ids, features

export interface ProducerIdBlock {
  brokerId: number;
  /** Inclusive bounds. */
  blockStart: number;
  blockEnd: number;
}

export const ProducerIdBlockZNode = {
  path: () => '/latest_producer_id_block',
  /** `{"version":1,"broker":1,"block_start":"0","block_end":"999"}`: bounds are strings. */
  encode(b: ProducerIdBlock): string {
    return JSON.stringify({
      version: 1,
      broker: b.brokerId,
      block_start: String(b.blockStart),
      block_end: String(b.blockEnd),
    });
  },
  decode(bytes: Buffer | string | null): ProducerIdBlock {
    const what = '/latest_producer_id_block';
    const js = parseJson(what, bytes);
    checkVersion(what, int(what, js, 'version'), 1, 1);
    return {
      brokerId: int(what, js, 'broker'),
      blockStart: int(what, js, 'block_start'),
      blockEnd: int(what, js, 'block_end'),
    };
  },
};

export interface FeatureZNodeData {
  /** 1 = enabled, 0 = disabled. */
  status: 0 | 1;
  /** v1 carries min and max levels, v2 (IBP 3.3+) only `max_version_level`. */
  features: Record<string, { min_version_level?: number; max_version_level: number }>;
  /** The znode version: 1 (default) or 2. */
  version?: 1 | 2;
}

/** Same status and the same finalized features (key order ignored). */
export function featureDataEqual(a: FeatureZNodeData, b: FeatureZNodeData): boolean {
  if (a.status !== b.status || (a.version ?? 1) !== (b.version ?? 1)) return false;
  const ka = Object.keys(a.features).sort();
  const kb = Object.keys(b.features).sort();
  return (
    ka.length === kb.length &&
    ka.every(
      (k, i) =>
        k === kb[i] &&
        a.features[k].min_version_level === b.features[k].min_version_level &&
        a.features[k].max_version_level === b.features[k].max_version_level,
    )
  );
}

export const FeatureZNode = {
  path: () => '/feature',
  /**
   * Kafka's FeatureZNode.encode: v1 `{"max_version_level":n,"min_version_level":n}` per
   * feature, v2 `{"max_version_level":n}`.
   */
  encode(f: FeatureZNodeData): string {
    const version = f.version ?? 1;
    const features = Object.fromEntries(
      Object.entries(f.features).map(([name, l]) => [
        name,
        version === 1
          ? {
              max_version_level: l.max_version_level,
              min_version_level: l.min_version_level ?? l.max_version_level,
            }
          : { max_version_level: l.max_version_level },
      ]),
    );
    return JSON.stringify({ features, version, status: f.status });
  },
  decode(bytes: Buffer | string | null): FeatureZNodeData {
    const js = parseJson('/feature', bytes);
    const version = int('/feature', js, 'version');
    checkVersion('/feature', version, 1, 2);
    const status = int('/feature', js, 'status');
    if (status !== 0 && status !== 1)
      throw new ZNodeDecodeError('/feature', `bad status ${status}`);
    return {
      status,
      features: (js.features ?? {}) as FeatureZNodeData['features'],
      version: version as 1 | 2,
    };
  },
};

/**
 * The persistent paths every broker creates at startup if missing
 * (Kafka's ZkData.PersistentZkPaths), parents before children.
 */
export const PersistentZkPaths: readonly string[] = [
  ConsumerPathZNode.path(),
  BrokerIdsZNode.path(),
  TopicsZNode.path(),
  ConfigEntityChangeNotificationZNode.path(),
  DeleteTopicsZNode.path(),
  BrokerSequenceIdZNode.path(),
  IsrChangeNotificationZNode.path(),
  ProducerIdBlockZNode.path(),
  LogDirEventNotificationZNode.path(),
  ...ConfigTypes.map((t) => ConfigEntityTypeZNode.path(t)),
];

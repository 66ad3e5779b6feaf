/**
 * Typed ZooKeeper errors. Each names the ZooKeeper error (Kafka's KeeperException
 * names: NoNode, NodeExists, BadVersion, NotEmpty, SessionExpired, ConnectionLoss)
 * and carries the path the operation was on, so messages read
 * `NoNode: /brokers/ids/3 (getData)`.
 */
export type ZkErrorCode =
  | 'NoNode'
  | 'NodeExists'
  | 'BadVersion'
  | 'NotEmpty'
  | 'SessionExpired'
  | 'ConnectionLoss'
  | 'NoChildrenForEphemerals'
  | 'OperationTimeout'
  | 'AuthFailed'
  | 'NoAuth'
  | 'Unknown';

/** ZooKeeper's numeric error codes (org.apache.zookeeper.KeeperException.Code). */
const BY_NUMBER: Record<number, ZkErrorCode> = {
  [-4]: 'ConnectionLoss',
  [-7]: 'OperationTimeout',
  [-101]: 'NoNode',
  [-103]: 'BadVersion',
  [-108]: 'NoChildrenForEphemerals',
  [-110]: 'NodeExists',
  [-111]: 'NotEmpty',
  [-112]: 'SessionExpired',
  [-102]: 'NoAuth',
  [-115]: 'AuthFailed',
};

export class ZkError extends Error {
  /** For a failed `multi`: the index of the operation ZooKeeper refused. */
  opIndex?: number;

  constructor(
    readonly code: ZkErrorCode,
    readonly path: string | undefined,
    readonly op: string,
    detail?: string,
  ) {
    super(`${code}${path !== undefined ? ': ' + path : ''} (${op})${detail ? ' ' + detail : ''}`);
    this.name = `${code}Error`;
  }
}
export class NoNodeError extends ZkError {}
export class NodeExistsError extends ZkError {}
export class BadVersionError extends ZkError {}
export class NotEmptyError extends ZkError {}
export class SessionExpiredError extends ZkError {}
export class ConnectionLossError extends ZkError {}

/** The session could not be established within the connection timeout. */
export class ZkConnectionTimeoutError extends Error {
  constructor(
    readonly connectString: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Timed out after ${timeoutMs} ms waiting for a ZooKeeper session at ${connectString} ` +
        `(is ZooKeeper running and reachable there?)`,
    );
    this.name = 'ZkConnectionTimeoutError';
  }
}

/** The session was closed by its owner; no further operations are possible. */
export class ZkSessionClosedError extends Error {
  constructor(op: string, path?: string) {
    super(`ZooKeeper session is closed (${op}${path ? ' ' + path : ''})`);
    this.name = 'ZkSessionClosedError';
  }
}

const CLASSES: Partial<Record<ZkErrorCode, typeof ZkError>> = {
  NoNode: NoNodeError,
  NodeExists: NodeExistsError,
  BadVersion: BadVersionError,
  NotEmpty: NotEmptyError,
  SessionExpired: SessionExpiredError,
  ConnectionLoss: ConnectionLossError,
};

/** Builds the typed error for a ZooKeeper numeric error code. */
export function zkErrorFromCode(num: number, path: string | undefined, op: string): ZkError {
  const code = BY_NUMBER[num] ?? 'Unknown';
  const Cls = CLASSES[code] ?? ZkError;
  return new Cls(code, path, op, code === 'Unknown' ? `zookeeper error ${num}` : undefined);
}

/** Converts whatever node-zookeeper-client handed back into a typed error. */
export function toZkError(err: unknown, path: string | undefined, op: string): Error {
  if (err instanceof ZkError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return zkErrorFromCode(code, path, op);
  return err instanceof Error ? err : new Error(String(err));
}

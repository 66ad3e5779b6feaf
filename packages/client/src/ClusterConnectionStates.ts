/**
 * ClusterConnectionStates (Kafka's class of that name): the state of the client's
 * connection to each broker, with the per-node reconnect backoff of KIP-144 and the
 * exponential connection setup timeout of KIP-601.
 *
 * After each failed connect, or the loss of an open connection, the node may not be
 * connected to again for `reconnect.backoff.ms × 2^(failures − 1)`, capped at
 * `reconnect.backoff.max.ms`, ±20 % jitter, counted from the failure; a connection that
 * becomes ready resets the count (kzoo's clients send no ApiVersions first, so ready is
 * connected, as Kafka's NetworkClient without broker version discovery). Each attempt
 * that fails while connecting also makes the next attempt's setup timeout grow from
 * `socket.connection.setup.timeout.ms` towards `socket.connection.setup.timeout.max.ms`
 * (same exponent base and jitter); a ready connection or the loss of an open one resets it.
 * Nodes are keyed by connection id (kzoo's NetworkClient uses the `host:port` address).
 */
import { ExponentialBackoff } from '@kzoo/common';

const RECONNECT_BACKOFF_EXP_BASE = 2;
const RECONNECT_BACKOFF_JITTER = 0.2;
const CONNECTION_SETUP_TIMEOUT_EXP_BASE = 2;
const CONNECTION_SETUP_TIMEOUT_JITTER = 0.2;

type ConnectionState = 'CONNECTING' | 'READY' | 'DISCONNECTED';

interface NodeConnectionState {
  state: ConnectionState;
  /** When the last attempt started, then when it (or the connection) failed. */
  lastConnectAttemptMs: number;
  /** Consecutive failures since the node was last ready. */
  failedAttempts: number;
  reconnectBackoffMs: number;
  /** Consecutive failures while connecting (the setup timeout's exponent). */
  failedConnectAttempts: number;
  connectionSetupTimeoutMs: number;
  /** Rank of this node's last failure among all failures (0: never failed). */
  lastFailure: number;
}

export interface ConnectionStatesOptions {
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  connectionSetupTimeoutMs: number;
  connectionSetupTimeoutMaxMs: number;
  /** The jitter's random source, uniform in [0, 1) (default Math.random). */
  random?: () => number;
}

export class ClusterConnectionStates {
  private readonly nodeState = new Map<string, NodeConnectionState>();
  private readonly reconnectBackoff: ExponentialBackoff;
  private readonly connectionSetupTimeout: ExponentialBackoff;
  private failures = 0;

  constructor(opts: ConnectionStatesOptions) {
    this.reconnectBackoff = new ExponentialBackoff(
      opts.reconnectBackoffMs,
      RECONNECT_BACKOFF_EXP_BASE,
      opts.reconnectBackoffMaxMs,
      RECONNECT_BACKOFF_JITTER,
      opts.random,
    );
    this.connectionSetupTimeout = new ExponentialBackoff(
      opts.connectionSetupTimeoutMs,
      CONNECTION_SETUP_TIMEOUT_EXP_BASE,
      opts.connectionSetupTimeoutMaxMs,
      CONNECTION_SETUP_TIMEOUT_JITTER,
      opts.random,
    );
  }

  /** True unless the node is disconnected and its reconnect backoff has not passed. */
  canConnect(id: string, nowMs: number): boolean {
    return this.connectionDelay(id, nowMs) === 0;
  }

  /**
   * The reconnect backoff left while the node is disconnected, else 0. (Kafka's
   * connectionDelay also answers for connecting and connected nodes, for its poll
   * timeout; kzoo's callers wait on the connection's promise instead.)
   */
  connectionDelay(id: string, nowMs: number): number {
    const s = this.nodeState.get(id);
    if (!s || s.state !== 'DISCONNECTED') return 0;
    return Math.max(0, s.reconnectBackoffMs - (nowMs - s.lastConnectAttemptMs));
  }

  /** An attempt starts; returns its connection setup timeout. */
  connecting(id: string, nowMs: number): number {
    let s = this.nodeState.get(id);
    if (!s) {
      s = {
        state: 'CONNECTING',
        lastConnectAttemptMs: nowMs,
        failedAttempts: 0,
        reconnectBackoffMs: this.reconnectBackoff.backoff(0),
        failedConnectAttempts: 0,
        connectionSetupTimeoutMs: this.connectionSetupTimeout.backoff(0),
        lastFailure: 0,
      };
      this.nodeState.set(id, s);
    }
    s.state = 'CONNECTING';
    s.lastConnectAttemptMs = nowMs;
    return s.connectionSetupTimeoutMs;
  }

  /** The connection is established: the failure counts start again. */
  ready(id: string): void {
    const s = this.nodeState.get(id);
    if (!s) return;
    s.state = 'READY';
    s.failedAttempts = 0;
    s.reconnectBackoffMs = this.reconnectBackoff.backoff(0);
    this.resetConnectionSetupTimeout(s);
  }

  /** A connect failed or an open connection was lost, at `nowMs`: the backoff grows. */
  disconnected(id: string, nowMs: number): void {
    const s = this.nodeState.get(id);
    if (!s) return;
    s.lastConnectAttemptMs = nowMs;
    s.reconnectBackoffMs = this.reconnectBackoff.backoff(s.failedAttempts);
    s.failedAttempts++;
    if (s.state === 'CONNECTING') {
      s.failedConnectAttempts++;
      s.connectionSetupTimeoutMs = this.connectionSetupTimeout.backoff(s.failedConnectAttempts);
    } else {
      this.resetConnectionSetupTimeout(s);
    }
    s.state = 'DISCONNECTED';
    s.lastFailure = ++this.failures;
  }

  /** Consecutive failures since the node was last ready. */
  failedAttempts(id: string): number {
    return this.nodeState.get(id)?.failedAttempts ?? 0;
  }

  /** Orders nodes by their last failure: 0 for never, higher for more recent. */
  lastFailure(id: string): number {
    return this.nodeState.get(id)?.lastFailure ?? 0;
  }

  private resetConnectionSetupTimeout(s: NodeConnectionState): void {
    s.failedConnectAttempts = 0;
    s.connectionSetupTimeoutMs = this.connectionSetupTimeout.backoff(0);
  }
}

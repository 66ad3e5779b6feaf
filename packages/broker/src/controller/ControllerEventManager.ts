/**
 * ControllerEventManager: the controller's single event queue (Kafka's
 * `ControllerEventManager`). Events are processed one at a time, in order; ZooKeeper
 * watch callbacks and session changes only `put()` events here, so all controller state
 * is touched by one logical thread. A failing event is logged and the queue goes on.
 *
 * Queued events dropped by `clearAndPut` (session expiry) or `close` (shutdown) are
 * preempted as Kafka's are: an event that answers a request (ControlledShutdown, ElectLeaders,
 * AlterPartition, the reassignment APIs) fails with NOT_CONTROLLER, so its requester retries
 * against the next controller at once instead of waiting out its request timeout (a broker
 * stopping beside the controller waited controller.socket.timeout.ms, 30 s, and held the
 * controller's own exit as long, while it drained that connection).
 */
import { KafkaError, Logger } from '@kzoo/common';

/** What every controller event may carry. */
interface ControllerEventBase {
  /** How often this event was re-queued after a ZooKeeper connection loss. */
  readonly retries?: number;
}

/**
 * Kafka's controller events handled so far (ControllerEvent subclasses / ControllerState
 * names), as a discriminated union: each kind carries exactly what it needs.
 */
export type ControllerEvent =
  | (ControllerEventBase & {
      readonly type:
        | 'Startup'
        | 'Reelect'
        | 'ControllerChange'
        | 'BrokerChange'
        | 'Expire'
        | 'RegisterBrokerAndReelect'
        | 'TopicChange'
        | 'TopicDeletion'
        | 'AutoPreferredReplicaLeaderElection'
        | 'IsrChangeNotification'
        | 'UncleanLeaderElectionEnable'
        | 'ZkPartitionReassignment'
        | 'ZkPreferredReplicaElection';
    })
  | (ControllerEventBase & {
      /** PartitionModifications: `/brokers/topics/<t>` changed; TopicUncleanLeaderElectionEnable: its config turned on. */
      readonly type: 'PartitionModifications' | 'TopicUncleanLeaderElectionEnable';
      readonly topic: string;
    })
  | (ControllerEventBase & {
      /** ISR changes of partitions being reassigned (Kafka's PartitionReassignmentIsrChange). */
      readonly type: 'PartitionReassignmentIsrChange';
      readonly partitions: ReadonlyArray<{ topic: string; partition: number }>;
    })
  | (ControllerEventBase & {
      readonly type: 'TopicDeletionStopReplicaResponseReceived';
      /** The broker's answer to a StopReplica (delete). */
      readonly stopReplica: {
        brokerId: number;
        partitionErrors: Map<string, number>;
        errorCode: number;
      };
    })
  | (ControllerEventBase & {
      /** Events that answer a request: run on the queue, then `resolve`. */
      readonly type:
        | 'ControlledShutdown'
        | 'ReplicaLeaderElection'
        | 'AlterPartitionReceived'
        | 'ApiPartitionReassignment'
        | 'ListPartitionReassignments';
      readonly task: {
        run: () => Promise<unknown>;
        resolve: (value: unknown) => void;
        reject: (error: unknown) => void;
      };
    });

export type ControllerEventType = ControllerEvent['type'];

export class ControllerEventManager {
  private readonly queue: ControllerEvent[] = [];
  private running = false;
  private closed = false;
  private current: ControllerEventType | 'Idle' = 'Idle';
  private draining: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly process: (event: ControllerEvent) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** The event being processed, or Idle (Kafka's ControllerState). */
  get state(): ControllerEventType | 'Idle' {
    return this.current;
  }

  get queueSize(): number {
    return this.queue.length;
  }

  /** Enqueues an event; returns false once the manager is closed. */
  put(event: ControllerEvent): boolean {
    if (this.closed) return false;
    this.queue.push(event);
    this.kick();
    return true;
  }

  /** Preempts the queued events, then enqueues this one (used for Expire, as Kafka does). */
  clearAndPut(event: ControllerEvent): boolean {
    if (this.closed) return false;
    this.preemptQueued(`${event.type} cleared the controller's queue`);
    return this.put(event);
  }

  /** Resolves when the queue is empty and no event is being processed. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking events, preempts the queued ones and waits for the current one to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.preemptQueued('the controller is shutting down');
    await this.draining;
  }

  /** Kafka's preempt(): the queued events go unprocessed; a request's fails with NOT_CONTROLLER. */
  private preemptQueued(why: string): void {
    const dropped = this.queue.splice(0);
    for (const ev of dropped) {
      if ('task' in ev)
        ev.task.reject(new KafkaError('NOT_CONTROLLER', `${ev.type} preempted: ${why}`));
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let ev = this.queue.shift(); ev !== undefined; ev = this.queue.shift()) {
        this.current = ev.type;
        try {
          await this.process(ev);
        } catch (e) {
          this.log.error('error processing controller event', { event: ev.type, error: e });
        }
        if (this.closed) break;
      }
    } finally {
      this.current = 'Idle';
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

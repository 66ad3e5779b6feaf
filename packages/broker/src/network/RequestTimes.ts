/**
 * How long one request keeps the broker's event loop: the timing fields of Kafka's
 * RequestChannel.Request that the request quota (KIP-124) reads. A kzoo broker is one
 * event loop, so Kafka's two thread pools map onto two parts of the same loop:
 *
 * - request handler time (Kafka: from the handler thread taking the request to
 *   `apiLocalCompleteTimeNanos`): from the handler call to the return of its synchronous
 *   part, the part that appends, reads the log and builds the answer; what an async
 *   handler does after an `await` (a parked Fetch completed later, a coordinator's
 *   answer after its write) is not counted, as a delayed operation completed elsewhere
 *   is not in Kafka;
 * - network thread time (Kafka: the processor's reads and writes for the request):
 *   decoding the frame, encoding the response and handing it to the socket.
 *
 * The SocketServer creates one only while the listener's `timeRequests()` says so
 * (request quotas are set), so requests pay no clock reads otherwise.
 */
import type { Time } from '@kzoo/common';

export class RequestTimes {
  /** When the handler's synchronous part returned, or -1n while it runs. */
  apiLocalCompleteTimeNanos = -1n;
  /** Decode, then encode and write: reported once the response is written. */
  networkThreadTimeNanos: bigint;
  /**
   * Kafka's recordNetworkThreadTimeCallback: the request quota sets it when it records
   * this request; the SocketServer calls it with `networkThreadTimeNanos` once the
   * response is written (or, with none, its turn has come).
   */
  recordNetworkThreadTimeCallback?: (timeNanos: number) => void;

  constructor(
    private readonly time: Time,
    /** When the handler was called (Kafka's requestDequeueTimeNanos). */
    readonly requestDequeueTimeNanos: bigint,
    decodeNanos: bigint,
  ) {
    this.networkThreadTimeNanos = decodeNanos;
  }

  /** Marks the end of the handler's synchronous part, if not marked yet. */
  localComplete(): void {
    if (this.apiLocalCompleteTimeNanos < 0n)
      this.apiLocalCompleteTimeNanos = this.time.nanoseconds();
  }

  /**
   * Kafka's requestThreadTimeNanos: the handler time, up to now while the handler still
   * runs its synchronous part (then that is its end).
   */
  requestThreadTimeNanos(): number {
    this.localComplete();
    const d = this.apiLocalCompleteTimeNanos - this.requestDequeueTimeNanos;
    return d > 0n ? Number(d) : 0;
  }

  /** Adds network-layer work done for this request since `startNanos`. */
  addNetworkTime(startNanos: bigint): void {
    this.networkThreadTimeNanos += this.time.nanoseconds() - startNanos;
  }
}

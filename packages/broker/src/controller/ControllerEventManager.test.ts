import { createLogger, KafkaError } from '@kzoo/common';
import { ControllerEvent, ControllerEventManager } from './ControllerEventManager';

const log = createLogger('test');

describe('broker > controller > ControllerEventManager', () => {
  it('processes events one at a time, in order, and goes on after a failure', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const mgr = new ControllerEventManager(async (e: ControllerEvent) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      seen.push(`start ${e.type}`);
      await new Promise((r) => setImmediate(r));
      seen.push(`end ${e.type}`);
      inFlight--;
      if (e.type === 'BrokerChange') throw new Error('boom');
    }, log);
    mgr.put({ type: 'Startup' });
    mgr.put({ type: 'BrokerChange' });
    mgr.put({ type: 'ControllerChange' });
    expect(mgr.state).toBe('Startup');
    await mgr.idle();
    expect(maxInFlight).toBe(1);
    expect(seen).toEqual([
      'start Startup',
      'end Startup',
      'start BrokerChange',
      'end BrokerChange',
      'start ControllerChange',
      'end ControllerChange',
    ]);
    expect(mgr.state).toBe('Idle');
  });

  it('clearAndPut drops queued events; close waits for the current one and refuses more', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mgr = new ControllerEventManager(async (e) => {
      seen.push(e.type);
      if (e.type === 'Startup') await gate;
    }, log);
    mgr.put({ type: 'Startup' });
    mgr.put({ type: 'BrokerChange' });
    mgr.put({ type: 'Reelect' });
    mgr.clearAndPut({ type: 'Expire' });
    expect(mgr.queueSize).toBe(1);
    release();
    await mgr.idle();
    expect(seen).toEqual(['Startup', 'Expire']);

    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    const mgr2 = new ControllerEventManager(async () => gate2, log);
    mgr2.put({ type: 'Startup' });
    mgr2.put({ type: 'Reelect' });
    let closed = false;
    const closing = mgr2.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release2();
    await closing;
    expect(mgr2.put({ type: 'Reelect' })).toBe(false);
    expect(mgr2.queueSize).toBe(0);
  });

  it("preempts queued request events with NOT_CONTROLLER (Kafka's preempt), on clearAndPut and on close", async () => {
    const task = (type: 'ControlledShutdown' | 'ReplicaLeaderElection', value: string) => {
      const result = new Promise<unknown>((resolve, reject) =>
        events.push({ type, task: { run: async () => value, resolve, reject } }),
      );
      return result.then(
        (v) => `resolved ${String(v)}`,
        (e: KafkaError) => `${e.errorName} | ${e.message}`,
      );
    };
    const events: ControllerEvent[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mgr = new ControllerEventManager(async (e) => {
      if ('task' in e) e.task.resolve(await e.task.run());
      await gate;
    }, log);

    // the running one completes; the queued one is answered at once, not left to time out
    const running = task('ControlledShutdown', 'b2');
    const queued = task('ControlledShutdown', 'b3');
    for (const e of events.splice(0)) mgr.put(e);
    mgr.clearAndPut({ type: 'Expire' });
    await expect(queued).resolves.toBe(
      "NOT_CONTROLLER | NOT_CONTROLLER: ControlledShutdown preempted: Expire cleared the controller's queue",
    );
    expect(mgr.queueSize).toBe(1); // Expire

    const election = task('ReplicaLeaderElection', 'e');
    for (const e of events.splice(0)) mgr.put(e);
    const closing = mgr.close();
    await expect(election).resolves.toBe(
      'NOT_CONTROLLER | NOT_CONTROLLER: ReplicaLeaderElection preempted: the controller is shutting down',
    );
    release();
    await closing;
    await expect(running).resolves.toBe('resolved b2');
  });
});

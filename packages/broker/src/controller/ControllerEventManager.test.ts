import { createLogger } from '@kzoo/common';
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
});

import { MockTime } from '@kzoo/common';
import {
  DelayedOperation,
  DelayedOperationPurgatory,
  MockTimer,
  SystemTimer,
} from './DelayedOperation';

class Op extends DelayedOperation {
  ready = false;
  log: string[] = [];
  constructor(delayMs: number) {
    super(delayMs);
  }
  tryComplete(): boolean {
    return this.ready ? this.forceComplete() : false;
  }
  onComplete(): void {
    this.log.push('complete');
  }
  override onExpiration(): void {
    this.log.push('expired');
  }
}

describe('Broker > GroupCoordinator > DelayedOperation', () => {
  it('MockTimer runs due tasks in deadline order with the clock at each deadline', () => {
    const time = new MockTime(1000);
    const timer = new MockTimer(time);
    const seen: Array<[string, number]> = [];
    timer.schedule(1300, () => seen.push(['c', time.milliseconds()]));
    timer.schedule(1100, () => {
      seen.push(['a', time.milliseconds()]);
      timer.schedule(1150, () => seen.push(['a2', time.milliseconds()]));
    });
    const cancelled = timer.schedule(1200, () => seen.push(['b', time.milliseconds()]));
    cancelled.cancel();
    timer.advanceClock(250);
    expect(seen).toEqual([
      ['a', 1100],
      ['a2', 1150],
    ]);
    expect(time.milliseconds()).toBe(1250);
    timer.advanceClock(50);
    expect(seen[2]).toEqual(['c', 1300]);
    expect(timer.size).toBe(0);
  });

  it('completes a watched operation on checkAndComplete, once, and cancels its expiry', () => {
    const timer = new MockTimer();
    const purgatory = new DelayedOperationPurgatory<Op>('test', timer);
    const op = new Op(100);
    expect(purgatory.tryCompleteElseWatch(op, ['k1', 'k2'])).toBe(false);
    expect(purgatory.watched('k1')).toBe(1);
    expect(purgatory.checkAndComplete('k1')).toBe(0);
    op.ready = true;
    expect(purgatory.checkAndComplete('k2')).toBe(1);
    expect(op.log).toEqual(['complete']);
    timer.advanceClock(1000);
    expect(op.log).toEqual(['complete']);
    expect(timer.size).toBe(0);
  });

  it('expires an operation at its deadline: onExpiration, then onComplete', () => {
    const timer = new MockTimer();
    const purgatory = new DelayedOperationPurgatory<Op>('test', timer);
    const op = new Op(100);
    purgatory.tryCompleteElseWatch(op, ['k']);
    timer.advanceClock(99);
    expect(op.log).toEqual([]);
    timer.advanceClock(1);
    expect(op.log).toEqual(['expired', 'complete']);
    expect(op.isCompleted).toBe(true);
    expect(purgatory.watched('k')).toBe(0);
    op.ready = true;
    expect(op.forceComplete()).toBe(false);
  });

  it('completes at once an operation that can complete', () => {
    const timer = new MockTimer();
    const purgatory = new DelayedOperationPurgatory<Op>('test', timer);
    const op = new Op(100);
    op.ready = true;
    expect(purgatory.tryCompleteElseWatch(op, ['k'])).toBe(true);
    expect(timer.size).toBe(0);
  });

  it('SystemTimer fires on the real clock and stops at shutdown', async () => {
    const timer = new SystemTimer();
    const fired = await new Promise<number>((resolve) => {
      const start = Date.now();
      timer.schedule(start + 20, () => resolve(Date.now() - start));
      timer.schedule(start + 60_000, () => resolve(-1));
    });
    expect(fired).toBeGreaterThanOrEqual(19);
    expect(timer.size).toBe(1);
    timer.shutdown();
    expect(timer.size).toBe(0);
  });
});

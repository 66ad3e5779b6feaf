import { ErrorCode } from '@kzoo/common';
import type { ProduceResponsePartition } from '@kzoo/protocol';
import { DelayedOperation, DelayedOperationPurgatory } from './DelayedOperation';
import { DelayedProduce } from './DelayedProduce';
import type { Partition } from './Partition';
import { MockTimer } from './Timer';

class Op extends DelayedOperation {
  ready = false;
  log: string[] = [];
  tryComplete(): boolean {
    return this.ready ? this.forceComplete() : false;
  }
  protected override onExpiration(): void {
    this.log.push('expired');
  }
  protected onComplete(): void {
    this.log.push('complete');
  }
}

describe('Broker > server > DelayedOperationPurgatory', () => {
  let timer: MockTimer;
  let p: DelayedOperationPurgatory<Op>;
  beforeEach(() => {
    timer = new MockTimer();
    p = new DelayedOperationPurgatory<Op>('test', timer);
  });

  it('completes at once when it can, else when its key is checked, else at its timeout', () => {
    const now = new Op(100);
    now.ready = true;
    expect(p.tryCompleteElseWatch(now, ['a'])).toBe(true);
    expect(now.log).toEqual(['complete']);
    expect(timer.size).toBe(0);

    const woken = new Op(1000);
    const expiring = new Op(50);
    expect(p.tryCompleteElseWatch(woken, ['a', 'b'])).toBe(false);
    expect(p.tryCompleteElseWatch(expiring, ['b'])).toBe(false);
    expect(p.delayed).toBe(2);
    expect(p.watched('a')).toBe(1);
    expect(p.watched('b')).toBe(2);
    expect(p.checkAndComplete('a')).toBe(0);
    woken.ready = true;
    expect(p.checkAndComplete('b')).toBe(1);
    expect(woken.log).toEqual(['complete']);
    expect(p.watched('a')).toBe(0); // unwatched under every key
    timer.advanceClock(49);
    expect(expiring.log).toEqual([]);
    timer.advanceClock(1);
    expect(expiring.log).toEqual(['expired', 'complete']);
    expect(expiring.isCompleted).toBe(true);
    expect(expiring.forceComplete()).toBe(false);
    expect(p.delayed).toBe(0);
    timer.advanceClock(5000);
    expect(woken.log).toEqual(['complete']); // its expiry was cancelled
    expect(timer.size).toBe(0);
  });

  it('tells its owner about each operation that reached its deadline, and only those', () => {
    const expired: Op[] = [];
    const q = new DelayedOperationPurgatory<Op>('test', timer, (op) => expired.push(op));
    const late = new Op(100);
    const woken = new Op(100);
    const forced = new Op(100);
    for (const op of [late, woken, forced]) q.tryCompleteElseWatch(op, ['k']);
    woken.ready = true;
    q.checkAndComplete('k');
    forced.forceComplete(); // completed elsewhere (a shutdown): its expiry is cancelled
    timer.advanceClock(100);
    expect(expired).toEqual([late]);
    expect(late.log).toEqual(['expired', 'complete']);
  });

  it('counts an operation completed elsewhere when its key is checked, and drops it', () => {
    const op = new Op(100);
    p.tryCompleteElseWatch(op, ['k']);
    expect(op.forceComplete()).toBe(true);
    expect(timer.size).toBe(0);
    expect(p.watched('k')).toBe(0);
    expect(p.delayed).toBe(1);
    expect(p.checkAndComplete('k')).toBe(1);
    expect(p.delayed).toBe(0);
    expect(op.log).toEqual(['complete']);
  });

  it('checkAndCompleteKeys tries each operation watching the keys once, however many keys it watches', () => {
    class Counting extends Op {
      tries = 0;
      override tryComplete(): boolean {
        this.tries++;
        return super.tryComplete();
      }
    }
    const keys = Array.from({ length: 1000 }, (_, i) => `t-${i}`);
    const wide = new Counting(1000);
    const narrow = new Counting(1000);
    const other = new Counting(1000);
    p.tryCompleteElseWatch(wide, keys);
    p.tryCompleteElseWatch(narrow, ['t-7']);
    p.tryCompleteElseWatch(other, ['elsewhere']);
    for (const o of [wide, narrow, other]) o.tries = 0;
    expect(p.checkAndCompleteKeys(keys)).toBe(0);
    expect([wide.tries, narrow.tries, other.tries]).toEqual([1, 1, 0]);
    wide.ready = true;
    other.ready = true;
    expect(p.checkAndCompleteKeys(keys.slice(500))).toBe(1);
    expect(wide.log).toEqual(['complete']);
    expect(p.watched('t-0')).toBe(0); // unwatched under every key
    expect(p.delayed).toBe(2);
    expect(other.log).toEqual([]); // not watching any of the keys
  });

  it('completeAll answers everything watched (broker shutdown)', () => {
    const ops = [new Op(1000), new Op(2000)];
    for (const o of ops) p.tryCompleteElseWatch(o, ['k']);
    p.completeAll();
    expect(ops.map((o) => o.log)).toEqual([['complete'], ['complete']]);
    expect(p.delayed).toBe(0);
    expect(timer.size).toBe(0);
  });

  it('shutdown drops everything watched without completing it (coordinator shutdown)', () => {
    const ops = [new Op(1000), new Op(2000)];
    for (const o of ops) p.tryCompleteElseWatch(o, ['k', 'j']);
    p.shutdown();
    expect(p.delayed).toBe(0);
    expect(p.watched('k')).toBe(0);
    expect(timer.size).toBe(0);
    timer.advanceClock(5000);
    expect(ops.map((o) => o.log)).toEqual([[], []]);
  });
});

describe('Broker > server > DelayedProduce', () => {
  it('a broker shutdown answers a produce still waiting for acks=-1 with REQUEST_TIMED_OUT, never success', () => {
    const timer = new MockTimer();
    const purgatory = new DelayedOperationPurgatory<DelayedProduce>('produce', timer);
    const partition = {
      key: 't-0',
      isLeader: true,
      highWatermark: 5,
      isr: [1, 2],
      minInsyncReplicas: 2,
    };
    const waiting = { errorCode: ErrorCode.NONE } as ProduceResponsePartition;
    const done = { errorCode: ErrorCode.NONE } as ProduceResponsePartition;
    let answered = 0;
    const op = new DelayedProduce(
      30000,
      [
        { p: partition as unknown as Partition, result: waiting, requiredOffset: 9 },
        {
          p: { ...partition, key: 't-1' } as unknown as Partition,
          result: done,
          requiredOffset: 5,
        },
      ],
      () => answered++,
    );
    expect(purgatory.tryCompleteElseWatch(op, ['t-0'])).toBe(false);
    purgatory.completeAll();
    expect(answered).toBe(1);
    expect(waiting.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(done.errorCode).toBe(ErrorCode.NONE);
  });
});

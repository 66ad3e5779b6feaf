import { DelayedOperation, DelayedOperationPurgatory } from './DelayedOperation';

class Op extends DelayedOperation {
  ready = false;
  result: 'completed' | 'expired' | null = null;
  private expired = false;
  tryComplete(): boolean {
    return this.ready ? this.forceComplete() : false;
  }
  protected override onExpiration(): void {
    this.expired = true;
  }
  protected onComplete(): void {
    this.result = this.expired ? 'expired' : 'completed';
  }
}

describe('broker > server > DelayedOperationPurgatory', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('completes at once when it can, else when its key is checked, else at its timeout', () => {
    const p = new DelayedOperationPurgatory<Op>('test');
    const now = new Op(100);
    now.ready = true;
    expect(p.tryCompleteElseWatch(now, ['a'])).toBe(true);
    expect(now.result).toBe('completed');

    const woken = new Op(1000);
    const expiring = new Op(50);
    expect(p.tryCompleteElseWatch(woken, ['a', 'b'])).toBe(false);
    expect(p.tryCompleteElseWatch(expiring, ['b'])).toBe(false);
    expect(p.delayed).toBe(2);
    expect(p.checkAndComplete('a')).toBe(0);
    woken.ready = true;
    expect(p.checkAndComplete('b')).toBe(1);
    expect(woken.result).toBe('completed');
    jest.advanceTimersByTime(49);
    expect(expiring.result).toBeNull();
    jest.advanceTimersByTime(1);
    expect(expiring.result).toBe('expired');
    expect(p.delayed).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(woken.result).toBe('completed'); // its timer was cancelled
  });

  it('completeAll answers everything watched (shutdown)', () => {
    const p = new DelayedOperationPurgatory<Op>('test');
    const ops = [new Op(1000), new Op(2000)];
    for (const o of ops) p.tryCompleteElseWatch(o, ['k']);
    p.completeAll();
    expect(ops.map((o) => o.result)).toEqual(['completed', 'completed']);
    expect(p.delayed).toBe(0);
  });
});

import {
  coordinatorForGroup,
  javaStringHashCode,
  kafkaAbs,
  partitionForGroup,
} from './coordinator-selection';

describe('Broker > GroupCoordinator > coordinatorSelection', () => {
  it("computes Java's String.hashCode", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(javaStringHashCode('é')).toBe(233);
  });

  it("uses Kafka's Utils.abs, where abs(Integer.MIN_VALUE) is 0", () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
    expect(partitionForGroup('polygenelubricants')).toBe(0);
    expect(partitionForGroup('hello')).toBe(99162322 % 50);
    expect(partitionForGroup('hello', 7)).toBe(99162322 % 7);
  });

  it('picks a live broker by the virtual partition, whatever the order of the list', () => {
    const p = partitionForGroup('orders-app'); // 0..49
    const brokers = [3, 1, 2];
    expect(coordinatorForGroup('orders-app', brokers)).toBe([1, 2, 3][p % 3]);
    expect(coordinatorForGroup('orders-app', [2, 3, 1, 1])).toBe([1, 2, 3][p % 3]);
    expect(coordinatorForGroup('orders-app', [])).toBeNull();
  });

  it('moves the group when its coordinator dies, and spreads groups over brokers', () => {
    const live = [1, 2, 3];
    const owners = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const g = `group-${i}`;
      const c = coordinatorForGroup(g, live)!;
      owners.set(c, (owners.get(c) ?? 0) + 1);
      const after = coordinatorForGroup(
        g,
        live.filter((b) => b !== c),
      )!;
      expect(after).not.toBe(c);
      expect(live).toContain(after);
    }
    expect([...owners.keys()].sort()).toEqual([1, 2, 3]);
    for (const n of owners.values()) expect(n).toBeGreaterThan(50);
  });
});

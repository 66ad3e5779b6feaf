import { detectInvalidTopic, hasCollision, hasCollisionChars, validateTopicName } from './Topic';
import { assignReplicasToBrokers } from './AdminUtils';

describe('broker > admin > Topic', () => {
  it('accepts Kafka-legal names and refuses the rest with Kafka’s reasons', () => {
    for (const ok of ['a', 'orders', 'A.b_c-9', 'x'.repeat(249), '__consumer_offsets'])
      expect(detectInvalidTopic(ok)).toBeNull();
    expect(detectInvalidTopic('')).toBe('the empty string is not allowed');
    expect(detectInvalidTopic('.')).toBe("'.' is not allowed");
    expect(detectInvalidTopic('..')).toBe("'..' is not allowed");
    expect(detectInvalidTopic('x'.repeat(250))).toMatch(/longer than the max allowed length 249/);
    for (const bad of ['a b', 'a/b', 'ä', 'a:b', 'a*'])
      expect(detectInvalidTopic(bad)).toMatch(/contains one or more characters other than/);
    expect(() => validateTopicName('a b')).toThrow(
      /INVALID_TOPIC_EXCEPTION: Topic name is invalid/,
    );
  });

  it('sees . and _ as colliding', () => {
    expect(hasCollisionChars('a.b')).toBe(true);
    expect(hasCollisionChars('a-b')).toBe(false);
    expect(hasCollision('a.b', 'a_b')).toBe(true);
    expect(hasCollision('a.b', 'a.c')).toBe(false);
  });
});

describe('broker > admin > AdminUtils > assignReplicasToBrokers', () => {
  it('matches Kafka’s AdminTest expected assignment (5 brokers, 10 partitions, RF 3, fixed start 0)', () => {
    const a = assignReplicasToBrokers([4, 2, 0, 3, 1], 10, 3, { fixedStartIndex: 0 });
    expect(Object.fromEntries(a)).toEqual({
      0: [0, 1, 2],
      1: [1, 2, 3],
      2: [2, 3, 4],
      3: [3, 4, 0],
      4: [4, 0, 1],
      5: [0, 2, 3],
      6: [1, 3, 4],
      7: [2, 4, 0],
      8: [3, 0, 1],
      9: [4, 1, 2],
    });
  });

  it('spreads leaders evenly from a random start and refuses bad counts', () => {
    for (let i = 0; i < 20; i++) {
      const a = assignReplicasToBrokers([1, 2, 3], 6, 2);
      const leaders = [...a.values()].map((r) => r[0]);
      expect([1, 2, 3].map((b) => leaders.filter((l) => l === b).length)).toEqual([2, 2, 2]);
      for (const r of a.values()) expect(new Set(r).size).toBe(2);
    }
    expect(() => assignReplicasToBrokers([1, 2], 1, 3)).toThrow(
      'INVALID_REPLICATION_FACTOR: Replication factor: 3 larger than available brokers: 2.',
    );
    expect(() => assignReplicasToBrokers([1], 0, 1)).toThrow(/INVALID_PARTITIONS/);
    expect(() => assignReplicasToBrokers([1], 1, 0)).toThrow(/INVALID_REPLICATION_FACTOR/);
  });
});

import {
  calculateFollowerThrottles,
  calculateLeaderThrottles,
  calculateProposedMoveMap,
  calculateReassigningBrokers,
  formatReassignment,
  parseReassignment,
  parseTopicsToMove,
} from './reassign-partitions';

// The files as Kafka's documentation shows them (docs/ops.html, "Automatically migrating
// data to new machines" and "Custom partition assignment and migration").
const KAFKA_TOPICS = '{"topics": [{"topic": "foo1"}, {"topic": "foo2"}], "version": 1}';
const KAFKA_PLAN =
  '{"version":1,"partitions":[{"topic":"foo1","partition":0,"replicas":[5,6],"log_dirs":["any","any"]},{"topic":"foo2","partition":1,"replicas":[2,3]}]}';

describe('cli > reassign-partitions > files', () => {
  it("reads Kafka's topics-to-move and reassignment files", () => {
    expect(parseTopicsToMove(JSON.parse(KAFKA_TOPICS))).toEqual(['foo1', 'foo2']);
    expect(parseReassignment(JSON.parse(KAFKA_PLAN))).toEqual([
      { topic: 'foo1', partition: 0, replicas: [5, 6] },
      { topic: 'foo2', partition: 1, replicas: [2, 3] },
    ]);
  });

  it('writes the JSON the tool prints, log_dirs "any" per replica, sorted', () => {
    expect(
      formatReassignment([
        { topic: 'b', partition: 0, replicas: [1] },
        { topic: 'a', partition: 1, replicas: [2, 3] },
        { topic: 'a', partition: 0, replicas: [3, 2] },
      ]),
    ).toBe(
      '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[3,2],"log_dirs":["any","any"]},' +
        '{"topic":"a","partition":1,"replicas":[2,3],"log_dirs":["any","any"]},' +
        '{"topic":"b","partition":0,"replicas":[1],"log_dirs":["any"]}]}',
    );
  });

  it('refuses bad files with one line naming the problem', () => {
    const bad = (js: object) => () => parseReassignment(js as Record<string, unknown>, 'plan.json');
    expect(bad({ version: 2, partitions: [] })).toThrow('plan.json: unsupported version 2');
    expect(bad({ version: 1 })).toThrow('"partitions" is not a list');
    expect(bad({ partitions: [] })).toThrow('no partitions to reassign');
    expect(bad({ partitions: [{ topic: 't', partition: 0, replicas: [] }] })).toThrow(
      'non-empty list of broker ids',
    );
    expect(bad({ partitions: [{ topic: 't', partition: 0, replicas: [1, 1] }] })).toThrow(
      'duplicate replica in t-0',
    );
    expect(bad({ partitions: [{ topic: 't', partition: -1, replicas: [1] }] })).toThrow(
      'no valid "partition"',
    );
    expect(
      bad({
        partitions: [
          { topic: 't', partition: 0, replicas: [1] },
          { topic: 't', partition: 0, replicas: [2] },
        ],
      }),
    ).toThrow('t-0 is listed twice');
    expect(
      bad({ partitions: [{ topic: 't', partition: 0, replicas: [1], log_dirs: ['/d'] }] }),
    ).toThrow('log_dirs other than "any"');
    expect(() => parseTopicsToMove({ topics: [{}] }, 'topics.json')).toThrow(
      'topics.json: topics[0] has no "topic" name',
    );
  });
});

describe('cli > reassign-partitions > throttles', () => {
  it('throttles the existing replicas on the leader side and the new ones on the follower side', () => {
    const current = [
      { topic: 'foo', partition: 0, replicas: [1, 2, 3] },
      { topic: 'foo', partition: 1, replicas: [4, 5, 6] },
      { topic: 'foo', partition: 10, replicas: [1, 2] },
      { topic: 'bar', partition: 0, replicas: [2, 3] },
    ];
    const plan = [
      { topic: 'foo', partition: 0, replicas: [2, 3, 4] },
      { topic: 'foo', partition: 10, replicas: [2, 1] }, // a reorder moves no data
      { topic: 'bar', partition: 0, replicas: [3, 5] },
    ];
    const moves = calculateProposedMoveMap([], plan, current);
    expect(moves.get('foo')!.get(0)).toEqual({ sources: [1, 2, 3], destinations: [4] });
    expect(moves.get('foo')!.get(10)).toEqual({ sources: [1, 2], destinations: [] });
    expect(moves.get('foo')!.has(1)).toBe(false);
    // Kafka's TreeSet[String]: in string order
    expect(calculateLeaderThrottles(moves)).toEqual(
      new Map([
        ['foo', '0:1,0:2,0:3,10:1,10:2'],
        ['bar', '0:2,0:3'],
      ]),
    );
    expect(calculateFollowerThrottles(moves)).toEqual(
      new Map([
        ['foo', '0:4'],
        ['bar', '0:5'],
      ]),
    );
    expect(calculateReassigningBrokers(moves)).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts the moves in progress, and takes the sources of a resubmitted move from them', () => {
    // foo-0 is moving 1,2,3 -> 2,3,4 (replicas: target first, then the removing ones)
    const ongoing = [
      { topic: 'foo', partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4] },
      { topic: 'baz', partition: 2, replicas: [7, 8], addingReplicas: [8] },
    ];
    const current = [
      { topic: 'foo', partition: 0, replicas: [2, 3, 4, 1] },
      { topic: 'foo', partition: 1, replicas: [1, 2] },
    ];
    const plan = [
      { topic: 'foo', partition: 0, replicas: [2, 3, 4] }, // resubmitted (--additional)
      { topic: 'foo', partition: 1, replicas: [2, 9] },
    ];
    const moves = calculateProposedMoveMap(ongoing, plan, current);
    expect(moves.get('foo')!.get(0)).toEqual({ sources: [2, 3, 1], destinations: [4] });
    expect(moves.get('baz')!.get(2)).toEqual({ sources: [7], destinations: [8] });
    expect(calculateLeaderThrottles(moves).get('foo')).toBe('0:1,0:2,0:3,1:1,1:2');
    expect(calculateFollowerThrottles(moves).get('foo')).toBe('0:4,1:9');
    expect(calculateFollowerThrottles(moves).get('baz')).toBe('2:8');
    expect(calculateReassigningBrokers(moves)).toEqual([1, 2, 3, 4, 7, 8, 9]);
  });

  it('refuses a partition with no replicas', () => {
    expect(() =>
      calculateProposedMoveMap([], [{ topic: 'foo', partition: 3, replicas: [1] }], []),
    ).toThrow('Trying to reassign a topic partition foo-3 with 0 replicas');
  });
});

import { formatReassignment, parseReassignment, parseTopicsToMove } from './reassign-partitions';

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

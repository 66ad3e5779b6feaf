import { compareTopicPartitions, parseTpKey, tpKey } from './index';

describe('common > TopicPartition', () => {
  it('encodes as Kafka prints it and the log directory is named', () => {
    expect(tpKey('orders', 3)).toBe('orders-3');
    expect(tpKey({ topic: 'orders', partition: 3 })).toBe('orders-3');
  });

  it('decodes any topic name, dashes and digits included', () => {
    for (const topic of ['a', 'a-1', 'a-1-2', '-', '__consumer_offsets', 'x.y_z-9']) {
      for (const partition of [0, 7, 12345]) {
        expect(parseTpKey(tpKey(topic, partition))).toEqual({ topic, partition });
      }
    }
  });

  it('is one-to-one: different partitions never share a key', () => {
    const keys = new Set<string>();
    const pairs: Array<[string, number]> = [
      ['a', 12],
      ['a-1', 2],
      ['a-12', 0],
      ['a', 1],
      ['a-', 1],
    ];
    for (const [t, p] of pairs) keys.add(tpKey(t, p));
    expect(keys.size).toBe(pairs.length);
  });

  it('refuses what is not <topic>-<partition>', () => {
    for (const bad of ['', 'orders', 'orders-', '-3', 'orders-x', 'orders-1.5', 'o-+1', 'o-03']) {
      expect(() => parseTpKey(bad)).toThrow(/not a topic-partition/);
    }
  });

  it('orders by topic, then partition number', () => {
    const tps = [
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 10 },
      { topic: 'a', partition: 2 },
    ];
    expect(tps.sort(compareTopicPartitions).map((tp) => tpKey(tp))).toEqual(['a-2', 'a-10', 'b-0']);
  });
});

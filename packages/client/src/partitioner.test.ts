import { murmur2, toPositive } from '@kzoo/records';
import { Cluster, type TopicInfo } from './Metadata';
import { DefaultPartitioner } from './partitioner';

function cluster(partitions: number, leaderless: number[] = []): Cluster {
  const ps = Array.from({ length: partitions }, (_, i) => ({
    topic: 't',
    partition: i,
    leader: leaderless.includes(i) ? -1 : 1,
    leaderEpoch: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    errorCode: 0,
  }));
  const t: TopicInfo = {
    name: 't',
    errorCode: 0,
    isInternal: false,
    partitions: ps,
    available: ps.filter((p) => p.leader >= 0),
  };
  return new Cluster('c', 1, [{ nodeId: 1, host: 'h', port: 1, rack: null }], [t]);
}

/** A deterministic random source cycling through the given values. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('Client > DefaultPartitioner', () => {
  test('keyed records: toPositive(murmur2(key)) % all partitions, leaderless included', () => {
    const p = new DefaultPartitioner();
    const c = cluster(6, [0, 1, 2, 3, 4]);
    for (const k of ['a', 'kafka', 'key-17', '']) {
      const key = Buffer.from(k);
      expect(p.partition('t', key, c)).toBe(toPositive(murmur2(key)) % 6);
    }
    // Kafka's own vector: murmur2("21") = -973932308
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
  });

  // Kafka's UtilsTest.testMurmur2 hashes; the expected partition is computed from the
  // Java hash literal ((h & 0x7fffffff) % n, DefaultPartitioner/BuiltInPartitioner's
  // keyed rule), independently of our murmur2. 6 keys x 5 partition counts = 30 vectors.
  const JAVA_HASHES: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  const vectors = JAVA_HASHES.flatMap(([key, h]) =>
    [1, 3, 10, 12, 50].map((n) => [key, n, (h & 0x7fffffff) % n] as const),
  );
  test.each(vectors)(
    'key %j with %d partitions lands on partition %d as in the Java client',
    (key, n, want) => {
      const c = cluster(n);
      expect(new DefaultPartitioner().partition('t', Buffer.from(key), c)).toBe(want);
    },
  );

  test('spot checks written out: foobar -> 16 of 50, 6 of 10', () => {
    expect(new DefaultPartitioner().partition('t', Buffer.from('foobar'), cluster(50))).toBe(16);
    expect(new DefaultPartitioner().partition('t', Buffer.from('foobar'), cluster(10))).toBe(6);
  });

  test('null key sticks to one partition until a new batch', () => {
    const p = new DefaultPartitioner(seq(0.5, 0.1, 0.9));
    const c = cluster(4);
    const first = p.partition('t', null, c);
    expect(first).toBe(2);
    for (let i = 0; i < 10; i++) expect(p.partition('t', null, c)).toBe(first);
    p.onNewBatch('t', c, first);
    const second = p.partition('t', null, c);
    expect(second).not.toBe(first);
    expect(second).toBe(0);
    // onNewBatch for a partition that is no longer the sticky one changes nothing
    p.onNewBatch('t', c, first);
    expect(p.partition('t', null, c)).toBe(second);
  });

  test('the new sticky partition is always a different available one', () => {
    const p = new DefaultPartitioner(seq(0.0, 0.0, 0.0, 0.3, 0.7));
    const c = cluster(3);
    const seen: number[] = [p.partition('t', null, c)];
    for (let i = 0; i < 5; i++) {
      p.onNewBatch('t', c, seen[seen.length - 1]);
      seen.push(p.partition('t', null, c));
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  test('sticky choice is among partitions with a leader; all when none has one', () => {
    const p = new DefaultPartitioner(seq(0.99, 0.0));
    expect(p.partition('t', null, cluster(4, [0, 2, 3]))).toBe(1);
    const q = new DefaultPartitioner(seq(0.99));
    expect(q.partition('t', null, cluster(4, [0, 1, 2, 3]))).toBe(3);
  });
});

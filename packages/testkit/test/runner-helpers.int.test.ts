/** The jest helpers of @kzoo/testkit/jest: a cluster per file, a topic name per test. */
import { topicName, useCluster } from '@kzoo/testkit/jest';

const cluster = useCluster({ brokers: 1 });

describe('testkit > jest helpers', () => {
  it('useCluster starts one cluster for the file; topicName is per test and legal', async () => {
    const a = topicName();
    const b = topicName();
    // the test's name, made legal and cut to 60 characters, then a random suffix
    expect(a).toMatch(
      /^testkit-jest-helpers-useCluster-starts-one-cluster-for-th[\w.-]*-[0-9a-f]{8}$/,
    );
    expect(a.length).toBeLessThanOrEqual(69);
    expect(a).not.toBe(b);
    expect(topicName('orders')).toMatch(/^orders-[0-9a-f]{8}$/);
    await cluster.current.createTopics([a]);
    const producer = cluster.current.producer({ acks: 'all' });
    const [meta] = await producer.send(a, [{ value: 'v' }]);
    expect(meta.offset).toBe(0);
  });
});

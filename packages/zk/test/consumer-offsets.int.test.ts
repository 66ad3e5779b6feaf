/**
 * KafkaZkClient's consumer-offset operations on the real ZooKeeper: the 0.8 consumer's
 * `/consumers/<group>/offsets/<topic>/<partition>` layout, one multi per commit.
 */
import { ConsumerOffset, KafkaZkClient } from '@kzoo/zk';
import { connectTestSession } from '@kzoo/testkit/jest';

describe('zk > KafkaZkClient > consumer offsets', () => {
  it('creates or sets offsets in one multi and reads them back', async () => {
    const zk = new KafkaZkClient(await connectTestSession());
    const multi = jest.spyOn(zk.zk, 'multi');
    await zk.setOrCreateConsumerOffsets('g', [
      { topic: 't', partition: 0, offset: 5 },
      { topic: 't', partition: 0, offset: 6 }, // the last one wins
      { topic: 'u', partition: 2, offset: 0 },
    ]);
    expect(multi).toHaveBeenCalledTimes(1);
    expect(multi.mock.calls[0][0].map((o) => `${o.op} ${o.path}`)).toEqual([
      'create /consumers',
      'create /consumers/g',
      'create /consumers/g/offsets',
      'create /consumers/g/offsets/t',
      'create /consumers/g/offsets/u',
      'create /consumers/g/offsets/t/0',
      'create /consumers/g/offsets/u/2',
    ]);
    expect(ConsumerOffset.decode((await zk.zk.getData('/consumers/g/offsets/t/0')).data)).toBe(6);
    await zk.setOrCreateConsumerOffsets('g', [{ topic: 't', partition: 0, offset: 7 }]);
    expect(await zk.getConsumerOffset('g', 't', 0)).toBe(7);
    expect(await zk.getConsumerOffset('g', 't', 1)).toBeNull();
    expect(await zk.getConsumerOffsets('g')).toEqual([
      { topic: 't', partition: 0, offset: 7 },
      { topic: 'u', partition: 2, offset: 0 },
    ]);
    expect(await zk.getConsumerGroups()).toEqual(['g']);
    expect(await zk.consumerGroupExists('g')).toBe(true);
    await zk.deleteConsumerGroup('g');
    await zk.deleteConsumerGroup('g');
    expect(await zk.consumerGroupExists('g')).toBe(false);
    expect(await zk.getConsumerOffsets('g')).toEqual([]);
  });

  it('refuses names that would escape their znode', async () => {
    const zk = new KafkaZkClient(await connectTestSession());
    await expect(
      zk.setOrCreateConsumerOffsets('a/b', [{ topic: 't', partition: 0, offset: 1 }]),
    ).rejects.toThrow(/invalid group name/);
    await expect(
      zk.setOrCreateConsumerOffsets('g', [{ topic: '..', partition: 0, offset: 1 }]),
    ).rejects.toThrow(/invalid topic name/);
    expect(await zk.pathExists('/consumers/g')).toBe(false);
  });
});

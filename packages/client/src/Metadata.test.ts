import { KafkaError, MockTime } from '@kzoo/common';
import type { MetadataResponse } from '@kzoo/protocol';
import { Metadata, type MetadataFetch } from './Metadata';

function response(leaders: Record<string, number[] | number>): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [
      { nodeId: 1, host: 'h1', port: 1, rack: null },
      { nodeId: 2, host: 'h2', port: 2, rack: null },
    ],
    clusterId: 'cid',
    controllerId: 1,
    topics: Object.entries(leaders).map(([name, ls]) =>
      typeof ls === 'number'
        ? { errorCode: ls, name, isInternal: false, partitions: [] }
        : {
            errorCode: 0,
            name,
            isInternal: false,
            partitions: ls.map((leaderId, partitionIndex) => ({
              errorCode: leaderId < 0 ? 5 : 0,
              partitionIndex,
              leaderId,
              leaderEpoch: 0,
              replicaNodes: [1, 2],
              isrNodes: [1, 2],
              offlineReplicas: [],
            })),
          },
    ),
  };
}

/** A scripted broker side: each call takes the next answer (a response or an error). */
function scripted(answers: Array<MetadataResponse | Error>) {
  const calls: Array<string[] | null> = [];
  const fetch: MetadataFetch = async (topics) => {
    calls.push(topics);
    const a = answers.shift();
    if (!a) throw new Error('no more scripted answers');
    if (a instanceof Error) throw a;
    return a;
  };
  return { calls, fetch };
}

function setup(answers: Array<MetadataResponse | Error>) {
  const time = new MockTime();
  const s = scripted(answers);
  const md = new Metadata({
    fetch: s.fetch,
    retryBackoffMs: 100,
    metadataMaxAgeMs: 300000,
    allowAutoTopicCreation: true,
    time,
  });
  return { time, md, calls: s.calls };
}

describe('Client > Metadata', () => {
  test('refreshes only the topics of interest; concurrent refreshes share one request', async () => {
    const { md, calls } = setup([response({ a: [1, 2] })]);
    md.add('a');
    const [c1, c2] = await Promise.all([md.update(), md.maybeUpdate()]);
    expect(c1).toBe(c2);
    expect(calls).toEqual([['a']]);
    expect(md.cluster.leaderFor('a', 1)).toBe(2);
    expect(md.cluster.topic('a')!.available.map((p) => p.partition)).toEqual([0, 1]);
    expect(md.updateDue()).toBe(false);
  });

  test('requestUpdate (after NOT_LEADER_OR_FOLLOWER) makes the next maybeUpdate refresh, after the backoff', async () => {
    const { md, time, calls } = setup([response({ a: [1] }), response({ a: [2] })]);
    md.add('a');
    await md.update();
    expect(await md.maybeUpdate()).toBe(md.cluster); // nothing due: no request
    expect(calls).toHaveLength(1);
    md.requestUpdate();
    expect(md.updateDue()).toBe(true);
    const p = md.maybeUpdate();
    await Promise.resolve();
    expect(calls).toHaveLength(1); // waiting for retry.backoff.ms
    time.tick(100);
    await p;
    expect(calls).toHaveLength(2);
    expect(md.cluster.leaderFor('a', 0)).toBe(2);
  });

  test('a stale view (metadata.max.age.ms) is due for refresh', async () => {
    const { md, time } = setup([response({ a: [1] })]);
    md.add('a');
    await md.update();
    time.tick(299999);
    expect(md.updateDue()).toBe(false);
    time.tick(1);
    expect(md.updateDue()).toBe(true);
  });

  test('topics still without leaders stay due for refresh', async () => {
    const { md } = setup([response({ a: [1, -1] })]);
    md.add('a');
    await md.update();
    expect(md.cluster.topic('a')!.available.map((p) => p.partition)).toEqual([0]);
    expect(md.updateDue()).toBe(true);
  });

  test('a failed refresh keeps the old view and stays due', async () => {
    const { md, time } = setup([response({ a: [1] }), new KafkaError('NETWORK_EXCEPTION', 'x')]);
    md.add('a');
    await md.update();
    md.requestUpdate();
    time.tick(100);
    await expect(md.update()).rejects.toThrow('NETWORK_EXCEPTION');
    expect(md.cluster.leaderFor('a', 0)).toBe(1);
    expect(md.updateDue()).toBe(true);
  });

  test('waitForTopic retries retriable topic errors with backoff until the topic appears', async () => {
    const { md, time, calls } = setup([
      response({ a: 3 }), // UNKNOWN_TOPIC_OR_PARTITION
      response({ a: 5 }), // LEADER_NOT_AVAILABLE
      response({ a: [1, 1] }),
    ]);
    const p = md.waitForTopic('a', 10000);
    for (let i = 0; i < 5 && calls.length < 3; i++) {
      await new Promise((r) => setImmediate(r));
      time.tick(100);
    }
    const t = await p;
    expect(t.partitions).toHaveLength(2);
    expect(calls).toHaveLength(3);
  });

  test('waitForTopic fails with REQUEST_TIMED_OUT after max.block.ms, and at once on a fatal error', async () => {
    const { md, time } = setup(Array.from({ length: 20 }, () => response({ a: 3 })));
    const p = md.waitForTopic('a', 500);
    const result = p.catch((e: KafkaError) => e);
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      time.tick(100);
    }
    const err = await result;
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('REQUEST_TIMED_OUT');
    expect((err as KafkaError).message).toContain('UNKNOWN_TOPIC_OR_PARTITION');

    const fatal = setup([response({ b: 17 })]); // INVALID_TOPIC_EXCEPTION
    await expect(fatal.md.waitForTopic('b', 500)).rejects.toMatchObject({
      errorName: 'INVALID_TOPIC_EXCEPTION',
    });
  });
});

/**
 * A batch damaged on disk after it was appended. As in Kafka, a fetch serves the file's
 * bytes without re-checking CRCs (the log checks every batch on append and at recovery
 * after an unclean shutdown); the consumer checks each batch's CRC-32C (`check.crcs`,
 * default true) and reports CORRUPT_MESSAGE instead of handing out damaged records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaError } from '@kzoo/common';
import { Consumer, type ConsumerRecord } from '@kzoo/client';
import { waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { batchOf, createTopic, metadata, randomTopic, startCluster } from './cluster';
import { producePartition } from './raw';

describe('broker > a batch corrupted on disk (1 broker, real ZooKeeper)', () => {
  it('the consumer reports CORRUPT_MESSAGE with check.crcs (the default); without it, it gets the stored bytes', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    expect((await createTopic(conn, topic, 1)).topics[0].errorCode).toBe(0);
    await waitFor('a leader for the partition', async () => {
      const m = await metadata(conn, [topic]);
      return m.topics[0]?.partitions[0]?.leaderId === 1;
    });
    // Three batches, one record each.
    const values = ['first-intact-batch', 'second-damaged-batch', 'third-intact-batch'];
    for (const value of values) {
      expect((await producePartition(conn, topic, 0, batchOf([{ value }]))).errorCode).toBe(0);
    }
    // One byte of the second record's value flipped in the segment file (the broker's
    // reads see it through the page cache).
    const file = path.join(c.dirs[0], `${topic}-0`, '00000000000000000000.log');
    const at = fs.readFileSync(file).indexOf('second-damaged-batch');
    expect(at).toBeGreaterThan(0);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('S'), 0, 1, at);
    fs.closeSync(fd);

    const bootstrap = `127.0.0.1:${c.broker(1).dataPlane.socketServer.port}`;
    const consumer = (config: Record<string, string | boolean> = {}) => {
      const k = new Consumer({ 'bootstrap.servers': bootstrap, ...config });
      onCleanup(() => k.close());
      k.assign([{ topic, partition: 0 }]);
      k.seek({ topic, partition: 0 }, 0);
      return k;
    };

    const checked = consumer();
    const got: ConsumerRecord[] = [];
    const error = await waitFor(
      'CORRUPT_MESSAGE from poll()',
      async () => {
        try {
          got.push(...(await checked.poll(500)));
          return false;
        } catch (e) {
          return e;
        }
      },
      { timeoutMs: 30000 },
    );
    expect(error).toBeInstanceOf(KafkaError);
    expect((error as KafkaError).errorName).toBe('CORRUPT_MESSAGE');
    // Nothing of the damaged batch or after it was handed out.
    expect(got.every((r) => r.offset < 1)).toBe(true);

    const unchecked = consumer({ 'check.crcs': false });
    const all: ConsumerRecord[] = [];
    await waitFor(
      'three records without check.crcs',
      async () => {
        all.push(...(await unchecked.poll(500)));
        return all.length >= 3;
      },
      { timeoutMs: 30000 },
    );
    expect(all.map((r) => r.value!.toString())).toEqual([
      'first-intact-batch',
      'Second-damaged-batch',
      'third-intact-batch',
    ]);
  });
});

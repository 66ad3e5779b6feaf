/**
 * Admin.describeConfigs / incrementalAlterConfigs and the `kzoo configs` CLI (compiled
 * JS: run `npx tsc -b` first) against an in-process broker on the real ZooKeeper.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { KafkaError } from '@kzoo/common';
import { Admin } from '@kzoo/client';
import { trackChild, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { randomTopic, startTestBroker } from './harness';

const BIN = path.resolve(__dirname, '..', '..', 'cli', 'dist', 'bin.js');

function kzoo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('client > Admin configs and `kzoo configs`', () => {
  test('describe, alter, delete through the Admin and the CLI; errors name the key', async () => {
    const tb = await startTestBroker();
    const admin = new Admin({ 'bootstrap.servers': tb.bootstrap, 'default.api.timeout.ms': 10000 });
    onCleanup(() => admin.close());
    const topic = randomTopic('cfg');
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await waitFor('topic known', () => tb.broker.dataPlane.metadataCache.contains(topic));
    const resource = { type: 'topic' as const, name: topic };

    await admin.incrementalAlterConfigs([
      {
        resource,
        ops: [
          { name: 'retention.ms', op: 'set', value: '3600000' },
          { name: 'cleanup.policy', op: 'append', value: 'compact' },
        ],
      },
    ]);
    const [d] = await admin.describeConfigs([resource], {
      configNames: ['retention.ms', 'cleanup.policy', 'segment.bytes'],
      includeSynonyms: true,
    });
    expect(d.configs.map((c) => [c.name, c.value, c.source, c.type, c.isDefault])).toEqual([
      ['segment.bytes', '1073741824', 'DEFAULT_CONFIG', 'INT', true],
      ['retention.ms', '3600000', 'DYNAMIC_TOPIC_CONFIG', 'LONG', false],
      ['cleanup.policy', 'delete,compact', 'DYNAMIC_TOPIC_CONFIG', 'LIST', false],
    ]);
    await waitFor(
      'applied live',
      () => tb.broker.dataPlane.logManager.getLog(topic, 0)?.config.cleanupPolicy.compact,
    );

    const err = await admin
      .incrementalAlterConfigs([
        { resource, ops: [{ name: 'retention.mss', op: 'set', value: '1' }] },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('INVALID_CONFIG');
    expect((err as KafkaError).message).toMatch(/retention\.mss/);

    // The CLI.
    const bs = ['--bootstrap-server', tb.bootstrap];
    const alter = await kzoo([
      'configs',
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--add-config',
      'min.insync.replicas=1,cleanup.policy=[delete]',
      '--delete-config',
      'retention.ms',
      ...bs,
    ]);
    expect(alter).toMatchObject({
      code: 0,
      stdout: `Completed updating config for topic ${topic}.\n`,
    });
    const desc = await kzoo([
      'configs',
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      ...bs,
    ]);
    expect(desc.code).toBe(0);
    expect(desc.stdout.split('\n')).toEqual([
      `Dynamic configs for topic ${topic} are:`,
      '  cleanup.policy=delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete, DEFAULT_CONFIG:log.cleanup.policy=delete}',
      '  min.insync.replicas=1 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=1, DEFAULT_CONFIG:min.insync.replicas=1}',
      '',
    ]);
    const bad = await kzoo([
      'configs',
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--add-config',
      'retention.ms=soon',
      ...bs,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /INVALID_CONFIG: .*Invalid value soon for configuration retention\.ms/,
    );
    const broker = await kzoo([
      'configs',
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-name',
      '1',
      '--add-config',
      'num.partitions=2',
      ...bs,
    ]);
    expect(broker.code).toBe(1);
    expect(broker.stderr).toMatch(
      /INVALID_REQUEST: .*Cannot update these configs dynamically: Set\(num\.partitions\)/,
    );
  });
});

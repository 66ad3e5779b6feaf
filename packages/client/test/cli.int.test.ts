/**
 * The real `kzoo` CLI as child processes (compiled JS: run `npx tsc -b` first) against
 * an in-process broker: topic commands, produce -> consume round trips, error exits.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { trackChild } from '@kzoo/testkit';
import { randomTopic, startTestBroker, type TestBroker } from './harness';

const BIN = path.resolve(__dirname, '..', '..', 'cli', 'dist', 'bin.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kzoo(args: string[], input?: string, timeoutMs = 30000): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input ?? '');
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

let tb: TestBroker;
let bs: string[];

beforeAll(async () => {
  tb = await startTestBroker();
  bs = ['--bootstrap-server', tb.bootstrap];
});

describe('CLI > topic, produce, consume', () => {
  test('topic create/list/describe/delete', async () => {
    const topic = randomTopic('cli');
    const created = await kzoo([
      'topic',
      'create',
      topic,
      '--partitions',
      '2',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=60000',
      ...bs,
    ]);
    expect(created).toMatchObject({ code: 0, stdout: `Created topic ${topic}.\n` });
    const again = await kzoo(['topic', 'create', topic, '--partitions', '2', ...bs]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TOPIC_ALREADY_EXISTS');
    expect((await kzoo(['topic', 'create', topic, '--if-not-exists', ...bs])).code).toBe(0);
    const list = await kzoo(['topic', 'list', ...bs]);
    expect(list.stdout.split('\n')).toContain(topic);
    const described = await kzoo(['topic', 'describe', topic, ...bs]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      new RegExp(
        `^Topic: ${topic}\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 1`,
      ),
    );
    expect(described.stdout).toMatch(new RegExp(`Topic: ${topic}\\tPartition: 1\\tLeader: 1\\t`));
    const deleted = await kzoo(['topic', 'delete', topic, ...bs]);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted topic ${topic}.\n` });
  });

  test('produce stdin lines, then consume them back (values, keys, JSON)', async () => {
    const topic = randomTopic('cli');
    expect((await kzoo(['topic', 'create', topic, '--partitions', '1', ...bs])).code).toBe(0);
    const lines = Array.from({ length: 50 }, (_, i) => `k${i % 5}:value ${i}`);
    const produced = await kzoo(
      ['produce', topic, '--key-separator', ':', '--acks', '1', ...bs],
      lines.join('\n') + '\n',
    );
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);

    const values = await kzoo([
      'consume',
      topic,
      '--from-beginning',
      '--max-messages',
      '50',
      '--timeout-ms',
      '10000',
      ...bs,
    ]);
    expect(values.code).toBe(0);
    expect(values.stdout).toBe(lines.map((l) => l.split(':')[1]).join('\n') + '\n');
    expect(values.stderr).toContain('Processed a total of 50 messages');

    const keyed = await kzoo([
      'consume',
      topic,
      '--from-beginning',
      '--print-key',
      '--max-messages',
      '2',
      ...bs,
    ]);
    expect(keyed.stdout).toBe('k0\tvalue 0\nk1\tvalue 1\n');

    const json = await kzoo([
      'consume',
      topic,
      '--partition',
      '0',
      '--offset',
      '48',
      '--json',
      '--timeout-ms',
      '2000',
      ...bs,
    ]);
    expect(json.code).toBe(0);
    const objs = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objs.map((o) => [o.partition, o.offset, o.key, o.value])).toEqual([
      [0, 48, 'k3', 'value 48'],
      [0, 49, 'k4', 'value 49'],
    ]);
    expect(typeof objs[0].timestamp).toBe('number');

    // Without --from-beginning, a consumer sees only what is produced after it starts: none here.
    const latest = await kzoo(['consume', topic, '--timeout-ms', '1500', ...bs]);
    expect(latest).toMatchObject({ code: 0, stdout: '' });
    expect(latest.stderr).toContain('Processed a total of 0 messages');
  });

  test('errors exit 1 with one clear line', async () => {
    const unknown = await kzoo(['consume', randomTopic('missing'), '--timeout-ms', '1000', ...bs]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^kzoo: UNKNOWN_TOPIC_OR_PARTITION: .*does not exist/);
    const unreachable = await kzoo(['topic', 'list', '--bootstrap-server', '127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    // As with Kafka's tools, the client's WARN about the broker comes first, in Kafka's words.
    const [warning, error, ...rest] = unreachable.stderr.trim().split('\n');
    expect(warning).toContain(
      'WARN  [admin] Connection to node -1 (/127.0.0.1:1) could not be established. Node may not be available.',
    );
    expect(error).toMatch(/^kzoo: NETWORK_EXCEPTION: no broker reachable/);
    expect(rest).toEqual([]);
    const topic = randomTopic('cli');
    expect((await kzoo(['topic', 'create', topic, ...bs])).code).toBe(0);
    const badKey = await kzoo(
      ['produce', topic, '--key-separator', ':', ...bs],
      'no separator here\n',
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('no key separator');
  });
});

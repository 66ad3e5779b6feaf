/**
 * One way to reach ZooKeeper: outside packages/zk, code and tests go through the KafkaZk
 * operations (KafkaZkClient / InMemoryKafkaZkClient). No raw session reads or writes of
 * znodes, no hand-built fenced multis, and the partition `state` znode is decoded only here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGES = path.resolve(__dirname, '..', '..');

const FORBIDDEN: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /\bzk\.(getData|setData)\b/, why: 'raw ZooKeeper session read/write' },
  {
    pattern: /\.zk\.(create|setData|delete|deleteRecursive|multi)\b/,
    why: 'raw ZooKeeper session write',
  },
  { pattern: /\bcontrollerFencedMulti\b/, why: 'hand-built controller-fenced multi' },
  { pattern: /\bTopicPartitionStateZNode\.decode\b/, why: 'partition state decoded outside zk' },
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('zk > no direct znode access outside packages/zk', () => {
  it('every other package reaches ZooKeeper through KafkaZk only', () => {
    const packages = fs
      .readdirSync(PACKAGES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'zk')
      .map((e) => path.join(PACKAGES, e.name));
    expect(packages.length).toBeGreaterThan(3);
    const offences: string[] = [];
    for (const file of packages.flatMap(sourceFiles)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const { pattern, why } of FORBIDDEN)
          if (pattern.test(line))
            offences.push(`${path.relative(PACKAGES, file)}:${i + 1}: ${why}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });

  it('recognises the forbidden forms', () => {
    const hit = (line: string) => FORBIDDEN.some(({ pattern }) => pattern.test(line));
    expect(hit('await zkClient.zk.setData(path, data, 3)')).toBe(true);
    expect(hit('await kzk.zk.getData("/feature")')).toBe(true);
    expect(hit('this.zkClient.zk.create(p, null)')).toBe(true);
    expect(hit('zkClient.controllerFencedMulti(v, ops)')).toBe(true);
    expect(hit('TopicPartitionStateZNode.decode(r.data)')).toBe(true);
    expect(hit('await zkClient.getTopicPartitionStates([tp])')).toBe(false);
    expect(hit('await kzk.getDataAndStat("/feature")')).toBe(false);
  });
});

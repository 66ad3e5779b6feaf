/**
 * Clean by construction: after stop() — and after a test body that throws inside
 * `await using` — no child process, no listening port of this process and no temp dir
 * remain, over 20 in-process start/stop cycles and a few in process mode. Process mode
 * runs compiled JS: run `npx tsc -b` first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { startCluster } from '@kzoo/testkit';

/** Live child processes of this process (from /proc/<pid>/stat: the 4th field is the ppid). */
function children(): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort();
}

/** Ports this process listens on: its socket inodes in LISTEN state in /proc/net/tcp{,6}. */
function listeningPorts(): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports.sort();
}

/** This process's cluster temp dirs (startCluster names them kzoo-cluster-<pid>-*). */
function tempDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`kzoo-cluster-${process.pid}-`));
}

function snapshot() {
  return { children: children(), listening: listeningPorts(), tempDirs: tempDirs() };
}

describe('testkit > startCluster > leaves nothing behind', () => {
  it('20 in-process cycles, process-mode cycles, a throwing body, an own ZooKeeper', async () => {
    const before = snapshot();
    expect(before.tempDirs).toEqual([]);

    for (let i = 0; i < 20; i++) {
      const cluster = await startCluster({ brokers: 3 });
      // while it runs, the checks see it (so they can see a leak)
      if (i === 0) {
        expect(tempDirs()).toHaveLength(1);
        expect(listeningPorts().length).toBeGreaterThanOrEqual(before.listening.length + 6);
      }
      await cluster.stop();
    }
    expect(snapshot()).toEqual(before);

    for (let i = 0; i < 2; i++) {
      const cluster = await startCluster({ brokers: 3, mode: 'process' });
      if (i === 0) expect(children().length).toBe(before.children.length + 3);
      await cluster.stop();
    }
    expect(snapshot()).toEqual(before);

    // a test body that throws with the cluster in `await using`
    const body = async () => {
      await using cluster = await startCluster({ brokers: 3, mode: 'process' });
      expect(cluster.brokerIds).toEqual([1, 2, 3]);
      throw new Error('the test failed');
    };
    await expect(body()).rejects.toThrow('the test failed');
    expect(snapshot()).toEqual(before);

    // zookeeper: 'embedded' without the shared one: a ZooKeeper of its own, stopped with it
    const shared = process.env.KZOO_TEST_ZK;
    delete process.env.KZOO_TEST_ZK;
    try {
      const cluster = await startCluster({ brokers: 1 });
      expect(cluster.zookeeperConnect.split('/')[0]).not.toBe(shared);
      expect(children().length).toBe(before.children.length + 1); // the ZooKeeper JVM
      await cluster.stop();
    } finally {
      process.env.KZOO_TEST_ZK = shared;
    }
    expect(snapshot()).toEqual(before);
  }, 240000);
});

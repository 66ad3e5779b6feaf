import * as fs from 'node:fs';
import { ZkSession } from '@kzoo/zk';
import { fourLetterWord, startZooKeeper, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('testkit > startZooKeeper', () => {
  it('starts a standalone server that serves quickly, and stop leaves nothing behind', async () => {
    const started = Date.now();
    const zk = await startZooKeeper({ nodes: 1 });
    const readyMs = Date.now() - started;
    onCleanup(() => zk.stop());
    // typically ~0.4 s (6 s seen at load 18); the speed is the harness bench's, not timed here
    console.log(`standalone ZooKeeper serving after ${readyMs} ms`);
    expect(readyMs).toBeLessThan(60000);
    expect(zk.connectString).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await zk.mode(1)).toBe('standalone');
    expect(await zk.leader()).toBe(1);
    expect(await fourLetterWord('127.0.0.1', zk.nodes[0].clientPort, 'ruok')).toBe('imok');
    const pid = zk.nodes[0].pid;
    const dir = zk.nodes[0].dataDir;
    expect(fs.existsSync(dir)).toBe(true);
    await zk.stop();
    expect(alive(pid)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
    // nothing serves ZooKeeper there any more (the freed port may already be another
    // process's listener, which accepts but does not answer `ruok`)
    expect(await fourLetterWord('127.0.0.1', zk.nodes[0].clientPort, 'ruok', 500)).not.toBe('imok');
  }, 180000);

  it('runs a 3-node ensemble that survives the loss of one node, and restarts it', async () => {
    const zk = await startZooKeeper({ nodes: 3 });
    onCleanup(() => zk.stop());
    expect(zk.connectString.split(',')).toHaveLength(3);
    const leader = await zk.leader();
    expect(leader).not.toBeNull();
    const modes = await Promise.all([1, 2, 3].map((n) => zk.mode(n)));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);

    const session = await ZkSession.connect({
      connectString: zk.connectString + '/ens',
      sessionTimeoutMs: 4000,
    });
    onCleanup(() => session.close());
    await session.create('/k', 'v');
    await zk.kill(leader!);
    expect(zk.nodes[leader! - 1].running).toBe(false);
    await waitFor(
      'a new leader',
      async () => {
        const l = await zk.leader();
        return l !== null && l !== leader ? l : undefined;
      },
      { timeoutMs: 15000 },
    );
    expect((await session.getData('/k')).data?.toString()).toBe('v');
    await zk.restart(leader!);
    expect(await zk.mode(leader!)).toBe('follower');
  }, 180000);
});

import {
  BadVersionError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  SessionExpiredError,
  WatchEvent,
  ZkConnectionTimeoutError,
  ZkSession,
} from '@kzoo/zk';
import { freePort, waitFor } from '@kzoo/testkit';
import {
  connectTestSession,
  expireSession,
  onCleanup,
  testChroot,
  testZkServers,
} from '@kzoo/testkit/jest';

function nextEvent(): { watcher: (e: WatchEvent) => void; event: Promise<WatchEvent> } {
  let resolve!: (e: WatchEvent) => void;
  const event = new Promise<WatchEvent>((r) => (resolve = r));
  return { watcher: (e) => resolve(e), event };
}

describe('zk > ZkSession', () => {
  it('creates the chroot and isolates the session under it', async () => {
    const chroot = testChroot();
    const zk = await connectTestSession({ connectString: testZkServers() + chroot });
    await zk.create('/a', 'x');
    const root = await connectTestSession({ connectString: testZkServers() });
    expect((await root.getData(`${chroot}/a`)).data?.toString()).toBe('x');
    expect(await zk.getChildren('/')).toEqual(['a']);
  });

  it('creates with parents, reads, writes with expected versions', async () => {
    const zk = await connectTestSession();
    expect(await zk.create('/p/q/r', '{"v":1}', { parents: true })).toBe('/p/q/r');
    const { data, stat } = await zk.getData('/p/q/r');
    expect(data?.toString()).toBe('{"v":1}');
    expect(stat.version).toBe(0);
    expect((await zk.getData('/p')).data).toBeNull();
    const s1 = await zk.setData('/p/q/r', 'two', 0);
    expect(s1.version).toBe(1);
    await expect(zk.setData('/p/q/r', 'three', 0)).rejects.toThrow(BadVersionError);
    await expect(zk.setData('/p/q/r', 'three', 0)).rejects.toThrow('BadVersion: /p/q/r (setData)');
    expect((await zk.getData('/p/q/r')).data?.toString()).toBe('two');
    await expect(zk.create('/p/q/r')).rejects.toThrow(NodeExistsError);
    await expect(zk.create('/x/y')).rejects.toThrow('NoNode: /x/y (create)');
    await expect(zk.getData('/nope')).rejects.toThrow(NoNodeError);
    await expect(zk.delete('/p/q')).rejects.toThrow(NotEmptyError);
    await expect(zk.delete('/p/q/r', 0)).rejects.toThrow(BadVersionError);
    await zk.delete('/p/q/r', 1);
    expect(await zk.exists('/p/q/r')).toBeNull();
    expect((await zk.exists('/p/q'))?.numChildren).toBe(0);
  });

  it('creates ephemeral and sequential nodes and lists children', async () => {
    const zk = await connectTestSession();
    await zk.create('/seq', null);
    const a = await zk.create('/seq/n_', 'a', { mode: 'persistent_sequential' });
    const b = await zk.create('/seq/n_', 'b', { mode: 'ephemeral_sequential' });
    expect(a).toBe('/seq/n_0000000000');
    expect(b).toBe('/seq/n_0000000001');
    expect((await zk.getChildren('/seq')).sort()).toEqual(['n_0000000000', 'n_0000000001']);
    const stat = await zk.exists(b);
    expect(stat?.ephemeralOwner).toBe(zk.sessionId);
    expect((await zk.exists(a))?.ephemeralOwner).toBeNull();
  });

  it('answers thousands of pipelined requests, each with its own data, in order of sending', async () => {
    const zk = await connectTestSession();
    await zk.create('/pipe', null);
    // sizes from a few bytes to 3 KiB: many responses share a TCP chunk, some span chunks
    const body = (i: number) =>
      `${i}:`.padEnd(1 + ((i * 7919) % 3000), String.fromCharCode(97 + (i % 26)));
    const n = 3000;
    await Promise.all(Array.from({ length: n }, (_, i) => zk.create(`/pipe/n${i}`, body(i))));
    const answered: number[] = [];
    const read = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        zk.getData(`/pipe/n${i}`).then((r) => {
          answered.push(i);
          return r.data!.toString();
        }),
      ),
    );
    expect(read.every((d, i) => d === body(i))).toBe(true);
    expect(answered).toEqual(Array.from({ length: n }, (_, i) => i));
    expect((await zk.getChildren('/pipe')).length).toBe(n);
  });

  it('runs multi atomically and names the refused operation', async () => {
    const zk = await connectTestSession();
    await zk.create('/m', '0');
    const res = await zk.multi([
      { op: 'check', path: '/m', version: 0 },
      { op: 'create', path: '/m/child', data: 'c', mode: 'ephemeral' },
      { op: 'setData', path: '/m', data: '1', version: 0 },
    ]);
    expect(res[0]).toEqual({ op: 'check' });
    expect(res[1]).toEqual({ op: 'create', path: '/m/child' });
    expect(res[2].op === 'setData' && res[2].stat.version).toBe(1);

    const err = await zk
      .multi([
        { op: 'create', path: '/m/other', data: 'o' },
        { op: 'check', path: '/m', version: 0 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadVersionError);
    expect((err as BadVersionError).opIndex).toBe(1);
    expect((err as Error).message).toContain('/m');
    expect(await zk.exists('/m/other')).toBeNull();
  });

  it('delivers data, existence and child watches as events', async () => {
    const zk = await connectTestSession();
    const other = await connectTestSession({ connectString: zk.connectString });
    const created = nextEvent();
    expect(await zk.exists('/w', created.watcher)).toBeNull();
    await other.create('/w', 'v0');
    expect(await created.event).toEqual({ type: 'created', path: '/w' });

    const changed = nextEvent();
    await zk.getData('/w', changed.watcher);
    await other.setData('/w', 'v1');
    expect(await changed.event).toEqual({ type: 'dataChanged', path: '/w' });

    const children = nextEvent();
    await zk.getChildren('/w', children.watcher);
    await other.create('/w/c', null, { mode: 'ephemeral' });
    expect(await children.event).toEqual({ type: 'childrenChanged', path: '/w' });

    const deleted = nextEvent();
    await zk.exists('/w/c', deleted.watcher);
    await other.close();
    expect(await deleted.event).toEqual({ type: 'deleted', path: '/w/c' });
  });

  it('after expiry emits expired, drops ephemerals and opens a fresh session', async () => {
    const zk = await connectTestSession({ sessionTimeoutMs: 2000 });
    await zk.create('/eph', 'x', { mode: 'ephemeral' });
    const oldId = zk.sessionId;
    const expired = new Promise<string>((r) => zk.once('expired', r));
    const fresh = new Promise<string>((r) => zk.once('newSession', r));
    await expireSession(zk);
    // the next request finds the session gone
    await expect(zk.exists('/eph')).rejects.toThrow(SessionExpiredError);
    expect(await expired).toBe(oldId);
    const newId = await fresh;
    expect(newId).not.toBe(oldId);
    expect(zk.sessionId).toBe(newId);
    expect(zk.previousSessionIds).toEqual([oldId]);
    expect(await zk.exists('/eph')).toBeNull();
    await zk.create('/eph', 'y', { mode: 'ephemeral' });
    expect((await zk.exists('/eph'))?.ephemeralOwner).toBe(newId);
  });

  it('emits disconnected and connected when the connection drops and comes back', async () => {
    const zk = await connectTestSession({ sessionTimeoutMs: 4000 });
    const events: string[] = [];
    zk.on('disconnected', () => events.push('disconnected'));
    zk.on('connected', () => events.push('connected'));
    // drop the TCP connection under the client; it reconnects within the same session
    const id = zk.sessionId;
    (
      zk as unknown as { client: { connectionManager: { socket: { destroy(): void } } } }
    ).client.connectionManager.socket.destroy();
    await waitFor('reconnect', () => events.includes('connected'), { timeoutMs: 5000 });
    expect(events.slice(0, 2)).toEqual(['disconnected', 'connected']);
    expect(zk.sessionId).toBe(id);
    expect(await zk.exists('/')).not.toBeNull();
  });

  it('fails with a clear error naming the connect string when ZooKeeper is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await ZkSession.connect({
      connectString: `127.0.0.1:${port}/kzoo`,
      sessionTimeoutMs: 2000,
      connectionTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkConnectionTimeoutError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses operations after close', async () => {
    const zk = await ZkSession.connect({ connectString: testZkServers() + testChroot() });
    onCleanup(() => zk.close());
    await zk.close();
    await expect(zk.exists('/')).rejects.toThrow('session is closed');
  });
});

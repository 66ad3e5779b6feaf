// Broker processes (`kzoo broker start`) against the real ZooKeeper: registration,
// controller election and failover, zombie fencing, duplicate ids, unreachable
// ZooKeeper, a ZooKeeper ensemble losing a node. Needs `npx tsc -b` first.
import { ControllerMovedError, KafkaZkClient } from '@kzoo/zk';
import { freePort, runCli, spawnBrokerProcess, startZooKeeper, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';

const SESSION_MS = 2000;
/**
 * "It happens" ceilings for wall-clock waits on a loaded machine; the tight bounds are
 * unit tests on the mock clock (KafkaController.test.ts: failover adds no timer to the
 * session expiry). Measured times are printed.
 */
const CEILING_MS = 15000;

describe('cli > kzoo broker start (processes)', () => {
  it('three brokers register; cluster status --json lists them and exactly one controller', async () => {
    const cluster = await TestCluster.start({ brokers: 3, sessionTimeoutMs: SESSION_MS });
    const controller = await cluster.waitForController();
    const res = await runCli(['cluster', 'status', '--zk', cluster.zk, '--json']);
    expect(res.code).toBe(0);
    const status = JSON.parse(res.stdout);
    expect(status.brokers.map((b: { id: number }) => b.id)).toEqual([1, 2, 3]);
    for (const b of status.brokers) {
      // testkit starts every broker with a Kafka-protocol listener too (--kafka-port)
      expect(b.endpoints).toEqual([
        `PLAINTEXT://127.0.0.1:${cluster.broker(b.id).port}`,
        `KAFKA://127.0.0.1:${cluster.broker(b.id).kafkaPort}`,
      ]);
      expect(b.brokerEpoch).toBeGreaterThan(0);
    }
    expect(status.controller).toEqual({
      brokerId: controller.brokerId,
      epoch: 1,
      epochZkVersion: 1,
    });
    expect(status.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // exactly one broker says it is the controller
    await cluster
      .broker(controller.brokerId)
      .waitForOutput(/is the controller \(epoch 1\)/, { stream: 'stdout' });
    const claimants = [1, 2, 3].filter((id) => /is the controller/.test(cluster.broker(id).stdout));
    expect(claimants).toEqual([controller.brokerId]);

    const text = await runCli(['cluster', 'status', '--zk', cluster.zk]);
    expect(text.stdout).toContain(`controller: broker ${controller.brokerId} (epoch 1)`);
    expect(text.stdout).toContain(
      `kafka bootstrap servers: ${[1, 2, 3].map((id) => `127.0.0.1:${cluster.broker(id).kafkaPort}`).join(',')}`,
    );
    const get = await runCli(['zk', 'get', '/brokers/ids/1', '--zk', cluster.zk]);
    expect(JSON.parse(get.stdout)).toMatchObject({ version: 5, jmx_port: -1, features: {} });
    const tree = await runCli(['zk', 'tree', '/brokers', '--zk', cluster.zk]);
    expect(tree.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        '/brokers',
        '/brokers/ids/1',
        '/brokers/ids/2',
        '/brokers/ids/3',
        '/brokers/topics',
        '/brokers/seqid',
      ]),
    );
  });

  it('SIGKILL of the controller: another broker is controller with a higher epoch', async () => {
    const cluster = await TestCluster.start({ brokers: 3, sessionTimeoutMs: SESSION_MS });
    const first = await cluster.waitForController();
    const killedAt = Date.now();
    await cluster.broker(first.brokerId).kill('SIGKILL');
    const next = await cluster.waitForController(
      (c) => c.brokerId !== first.brokerId,
      SESSION_MS + 5000,
    );
    expect(next.epoch).toBeGreaterThan(first.epoch);
    // when ZooKeeper created the new /controller (its ctime), not when this test polled it
    const reg = await cluster.zkClient.getControllerRegistration();
    expect(reg?.brokerId).toBe(next.brokerId);
    const tookMs = reg!.stat.ctime - killedAt;
    console.log(
      `controller failover (SIGKILL → new /controller): ${tookMs} ms (session timeout ${SESSION_MS} ms)`,
    );
    expect(tookMs).toBeLessThan(SESSION_MS + CEILING_MS);
    await cluster.waitForBrokers([1, 2, 3].filter((id) => id !== first.brokerId));
    await cluster
      .broker(next.brokerId)
      .waitForOutput(new RegExp(`is the controller \\(epoch ${next.epoch}\\)`));
  });

  it('a controller paused past its session timeout is fenced: its conditional write is refused, it resigns and re-registers', async () => {
    const cluster = await TestCluster.start({ brokers: 3, sessionTimeoutMs: SESSION_MS });
    const old = await cluster.waitForController();
    const zombie = cluster.broker(old.brokerId);
    const oldRegistration = await cluster.zkClient.getBrokerAndEpoch(old.brokerId);

    zombie.pause();
    const next = await cluster.waitForController(
      (c) => c.brokerId !== old.brokerId,
      SESSION_MS + 5000,
    );
    expect(next.epoch).toBe(old.epoch + 1);
    expect(next.epochZkVersion).toBeGreaterThan(old.epochZkVersion);

    // A controller write fenced by the zombie's epoch zkVersion is refused by ZooKeeper
    // and changes nothing.
    const feature = await cluster.zkClient.zk.exists('/feature');
    const refused = await cluster.zkClient
      .createOrUpdateFeatureZNode({ status: 0, features: {} }, old.epochZkVersion)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControllerMovedError);
    await expect(cluster.zkClient.deleteController(old.epochZkVersion)).rejects.toThrow(
      ControllerMovedError,
    );
    expect((await cluster.zkClient.zk.exists('/feature'))?.version).toBe(feature?.version);

    zombie.resume();
    // it finds its session expired, resigns, registers again with a new broker epoch
    await zombie.waitForOutput(/ZooKeeper session expired/, { stream: 'stderr' });
    await zombie.waitForOutput(
      new RegExp(`broker ${old.brokerId} resigned as controller \\(epoch ${old.epoch}\\)`),
    );
    await zombie.waitForRegistration(2);
    const again = await cluster.zkClient.getBrokerAndEpoch(old.brokerId);
    expect(again!.epoch).toBeGreaterThan(oldRegistration!.epoch);
    await zombie.waitForOutput(
      new RegExp(`broker ${next.brokerId} has been elected as the controller`),
      {
        stream: 'stderr',
      },
    );
    // nothing was written with the old epoch: controller and epoch are the new ones
    expect(await cluster.controller()).toEqual(next);
    expect((await cluster.zkClient.zk.exists('/feature'))?.version).toBe(feature?.version);
    expect(zombie.stdout).not.toMatch(
      new RegExp(`broker ${old.brokerId} is the controller \\(epoch ${next.epoch}`),
    );
  });

  it('a duplicate broker id exits non-zero with a clear error; the first broker is unaffected', async () => {
    const cluster = await TestCluster.start({ brokers: [1], sessionTimeoutMs: SESSION_MS });
    const before = await cluster.zkClient.getBrokerAndEpoch(1);
    const dup = await spawnBrokerProcess({ id: 1, zk: cluster.zk, sessionTimeoutMs: SESSION_MS });
    const { code } = await dup.waitForExit();
    expect(code).not.toBe(0);
    expect(dup.stderr).toMatch(
      /kzoo: DUPLICATE_BROKER_REGISTRATION: broker\.id 1 is already registered at \/brokers\/ids\/1/,
    );
    expect(cluster.broker(1).running).toBe(true);
    expect((await cluster.zkClient.getBrokerAndEpoch(1))?.epoch).toBe(before?.epoch);
    expect(await cluster.controller()).toMatchObject({ brokerId: 1, epoch: 1 });
  });

  it('exits 0 on SIGTERM and its registration goes at once', async () => {
    const cluster = await TestCluster.start({ brokers: [1, 2], sessionTimeoutMs: 10000 });
    const c = await cluster.waitForController();
    const stoppedAt = Date.now();
    expect(await cluster.broker(c.brokerId).stop()).toBe(0);
    // far sooner than the 10 s session timeout: the session was closed
    const other = c.brokerId === 1 ? 2 : 1;
    await cluster.waitForBrokers([other], 3000);
    await cluster.waitForController((x) => x.brokerId === other, 3000);
    const tookMs = Date.now() - stoppedAt;
    console.log(`SIGTERM → registration gone, controller moved: ${tookMs} ms`);
    // sooner than the session timeout is the point: only a closed session explains it
    expect(tookMs).toBeLessThan(10000);
  });

  it('ZooKeeper unreachable at start: a clear error within the connection timeout, no hang', async () => {
    const port = await freePort();
    const started = Date.now();
    const b = await spawnBrokerProcess({
      id: 1,
      zk: `127.0.0.1:${port}/kzoo`,
      extraConfig: { 'zookeeper.connection.timeout.ms': 1500 },
    });
    const { code } = await b.waitForExit(10000);
    const took = Date.now() - started;
    console.log(`unreachable ZooKeeper → exit: ${took} ms (zookeeper.connection.timeout.ms 1500)`);
    expect(code).toBe(1);
    expect(b.stderr).toContain(
      `kzoo: Timed out after 1500 ms waiting for a ZooKeeper session at 127.0.0.1:${port}/kzoo`,
    );
    expect(took).toBeLessThan(1500 + CEILING_MS); // + process start-up
  });
});

describe('cli > brokers when ZooKeeper dies', () => {
  it('SIGTERM still shuts a broker down promptly with exit 0', async () => {
    const zk = await startZooKeeper({ nodes: 1 });
    onCleanup(() => zk.stop());
    const cluster = await TestCluster.start({
      brokers: [1],
      zk: zk.connectString + '/kzoo-dead-zk',
      sessionTimeoutMs: SESSION_MS,
    });
    await cluster.waitForController();
    await zk.kill(1);
    await cluster.broker(1).waitForOutput(/disconnected from ZooKeeper/, { stream: 'stderr' });
    const started = Date.now();
    expect(await cluster.broker(1).stop(20000)).toBe(0);
    const tookMs = Date.now() - started;
    console.log(`SIGTERM with ZooKeeper dead → exit 0: ${tookMs} ms`);
    expect(tookMs).toBeLessThan(CEILING_MS);
  });
});

describe('cli > brokers on a 3-node ZooKeeper ensemble', () => {
  it('one ZooKeeper node killed: brokers stay registered and the controller stays', async () => {
    const ensemble = await startZooKeeper({ nodes: 3 });
    onCleanup(() => ensemble.stop());
    const zk = ensemble.connectString + '/kzoo-ensemble';
    // The longest session this ensemble allows (20 ticks of 500 ms): a session survives a
    // leader loss when its client reconnects within it once the new leader serves, which
    // takes under a second on an idle machine but far longer while a full run loads both
    // cores. The test asserts the sessions survive, so it gives them the most room.
    const cluster = await TestCluster.start({ brokers: 3, zk, sessionTimeoutMs: 10000 });
    const controller = await cluster.waitForController();
    const epochsBefore = await cluster.zkClient.getAllBrokerAndEpochsInCluster();
    // Session events from here on: the test's own session and each broker's (its log).
    const session = cluster.zkClient.zk;
    const events: string[] = [];
    const onEvent = (e: string) => () => events.push(e);
    const listeners = (['disconnected', 'connected', 'expired'] as const).map(
      (e) => [e, onEvent(e)] as const,
    );
    for (const [e, fn] of listeners) session.on(e, fn);
    onCleanup(() => {
      for (const [e, fn] of listeners) session.off(e, fn);
    });
    const stderrBefore = new Map([1, 2, 3].map((id) => [id, cluster.broker(id).stderr.length]));
    const since = (id: number) => cluster.broker(id).stderr.slice(stderrBefore.get(id));

    const leader = await ensemble.leader();
    const killedAt = Date.now();
    await ensemble.kill(leader!);
    await waitFor(
      'a new ZooKeeper leader',
      async () => {
        const l = await ensemble.leader();
        return l !== null && l !== leader;
      },
      { timeoutMs: 15000 },
    );
    // Every session lost its server with the leader (followers drop their clients while
    // they elect). A session that reconnects is one ZooKeeper kept: an expired one would
    // be told so on reconnecting. So wait for each reconnection instead of sleeping.
    await waitFor(
      'every broker reconnected to ZooKeeper with its session',
      () => [1, 2, 3].every((id) => /reconnected to ZooKeeper/.test(since(id))),
      { timeoutMs: 30000 },
    ).catch((e: Error) => {
      // what each broker said of its session since the kill (an expiry, or no disconnect)
      const lines = [1, 2, 3].map(
        (id) =>
          `broker ${id}:\n` +
          since(id)
            .split('\n')
            .filter((l) => /zookeeper|session/i.test(l))
            .join('\n'),
      );
      throw new Error(`${e.message}\n${lines.join('\n')}`);
    });
    await waitFor(
      "the test's own session reconnected",
      () =>
        events.includes('disconnected') &&
        events.lastIndexOf('connected') > events.lastIndexOf('disconnected'),
      { timeoutMs: 30000 },
    );
    console.log(
      `ZooKeeper leader killed: every session back ${Date.now() - killedAt} ms later (events: ${events.join(',')})`,
    );
    expect(events).not.toContain('expired');
    for (const id of [1, 2, 3]) expect(since(id)).not.toMatch(/session expired/i);
    const probe = new KafkaZkClient(cluster.zkClient.zk);

    expect(await probe.getSortedBrokerList()).toEqual([1, 2, 3]);
    const epochsAfter = await probe.getAllBrokerAndEpochsInCluster();
    for (const id of [1, 2, 3])
      expect(epochsAfter.get(id)?.epoch).toBe(epochsBefore.get(id)?.epoch);
    expect(await cluster.controller()).toEqual(controller);
    for (const id of [1, 2, 3]) {
      expect(cluster.broker(id).running).toBe(true);
      expect(cluster.broker(id).stderr).not.toMatch(/session expired/);
    }
  });
});

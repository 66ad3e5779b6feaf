// `kzoo broker health` (docker-compose.yml's healthcheck) against broker processes and the
// real ZooKeeper: healthy when registered and serving Metadata that lists the broker; a clear
// one-line failure when not registered, and when the broker does not answer. Needs `npx tsc -b`.
import { runCli } from '@kzoo/testkit';
import { TestCluster } from '@kzoo/testkit/jest';

const health = (zk: string, id: number, port: number, timeoutMs = 3000) =>
  runCli([
    'broker',
    'health',
    '--id',
    String(id),
    '--zk',
    zk,
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--timeout-ms',
    String(timeoutMs),
  ]);

describe('cli > kzoo broker health', () => {
  it('passes for a registered, serving broker and fails, naming why, otherwise', async () => {
    const cluster = await TestCluster.start({ brokers: 2, sessionTimeoutMs: 4000 });
    await cluster.waitForMetadata();
    const controller = await cluster.waitForController();
    const b1 = cluster.broker(1);

    const ok = await health(cluster.zk, 1, b1.port);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(
        `^broker 1 healthy: registered \\(broker epoch \\d+\\), serving at 127\\.0\\.0\\.1:${b1.port}, ` +
          `controller ${controller.brokerId}\\n$`,
      ),
    );

    // an id nobody registered, asked of a live broker
    const absent = await health(cluster.zk, 7, b1.port);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^kzoo: broker 7 is not registered in ZooKeeper \(.+\)\n$/);

    // registered (its session is still alive) but frozen: no answer within the timeout
    const b2 = cluster.broker(2);
    b2.pause();
    try {
      const frozen = await health(cluster.zk, 2, b2.port, 1000);
      expect(frozen.code).toBe(1);
      expect(frozen.stderr).toMatch(/^kzoo: broker 2/);
      expect(frozen.stdout).toBe('');
    } finally {
      b2.resume();
    }
  }, 60000);
});

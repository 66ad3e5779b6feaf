// `kzoo broker start` without --id: the broker takes a generated id (Kafka's broker id
// generation) and prints it in its registration line. Needs `npx tsc -b` first.
import { BrokerProcess, freePort, makeTempDir, removeDir } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';

describe('cli > kzoo broker start > without --id', () => {
  it('registers under a generated id (1001) and keeps it after a restart', async () => {
    const zk = zkConnectForTest();
    const dataDir = makeTempDir('kzoo-broker-noid-');
    onCleanup(() => removeDir(dataDir));
    const start = async () => {
      const port = await freePort();
      const args = ['broker', 'start', '--zk', zk, '--port', String(port), '--data-dir', dataDir];
      const proc = new BrokerProcess(1001, zk, port, dataDir, args);
      onCleanup(() => proc.kill('SIGKILL'));
      await proc.waitForRegistration(1, 15000);
      return proc;
    };
    const first = await start();
    expect(first.stdout).toMatch(/^broker 1001 registered at PLAINTEXT:\/\/127\.0\.0\.1:\d+ /m);
    expect(await first.stop()).toBe(0);
    const again = await start();
    expect(again.stdout).toMatch(/^broker 1001 registered at /m);
    expect(await again.stop()).toBe(0);
  });
});

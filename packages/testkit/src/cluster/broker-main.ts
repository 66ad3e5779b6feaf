/**
 * The child process of a `mode: 'process'` cluster broker: one `Broker` from
 * @kzoo/broker, forked early (it loads its code while ZooKeeper starts), then configured
 * by the parent, all over Node's IPC channel:
 *   ← { type: 'start', config }                          the broker config (Kafka keys)
 *   → { type: 'started', port, kafkaPort, brokerEpoch }   once registered and serving
 *   → { type: 'registered', brokerEpoch }                 after each later registration
 *   ← { type: 'expireSession', seq }  → { type: 'expired', seq, error? }
 * SIGTERM: controlled shutdown, exit 0. The parent gone (IPC disconnect): exit at once.
 */
import { Broker, type ConfigInput } from '@kzoo/broker';

type Message = { type: 'expireSession'; seq: number } | { type: 'start'; config: ConfigInput };

function send(msg: Record<string, unknown>): void {
  if (process.connected) process.send?.(msg);
}

async function main(config: ConfigInput): Promise<void> {
  const broker = new Broker(config);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await broker.shutdown().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  broker.on('fatal', (e: Error) => {
    process.stderr.write(`broker ${broker.brokerId}: ${e.message}\n`);
    void stop(1);
  });
  let started = false;
  broker.on('registered', ({ brokerEpoch }: { brokerEpoch: number }) => {
    if (started) send({ type: 'registered', brokerEpoch });
  });
  process.on('message', (m: Message) => {
    if (m?.type !== 'expireSession') return;
    broker.zkClient.zk.forceExpire().then(
      () => send({ type: 'expired', seq: m.seq }),
      (e: Error) => send({ type: 'expired', seq: m.seq, error: e.message }),
    );
  });
  await broker.start();
  started = true;
  send({
    type: 'started',
    port: broker.dataPlane.socketServerOf('PLAINTEXT').port,
    kafkaPort: broker.dataPlane.socketServerOf('KAFKA').port,
    brokerEpoch: broker.brokerEpoch,
  });
}

if (!process.send) {
  process.stderr.write('broker-main.js is started by @kzoo/testkit (it needs an IPC channel)\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(1));
process.once('message', (m: Message) => {
  if (m?.type !== 'start') {
    process.stderr.write(`expected a start message, got ${JSON.stringify(m)}\n`);
    process.exit(2);
  }
  main(m.config).catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  });
});

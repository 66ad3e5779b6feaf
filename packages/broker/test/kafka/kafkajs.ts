/** kafkajs clients for the Kafka-listener tests: one retry policy, admins closed after the test. */
import { onCleanup, type TestCluster } from '@kzoo/testkit/jest';
import { Kafka, logLevel, type Admin } from 'kafkajs';

export function kafkaOf(cluster: TestCluster, clientId = 'kzoo-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: cluster.kafkaBootstrap(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 3000 },
  });
}

/** A connected admin, disconnected when the test ends. */
export async function adminOf(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  onCleanup(() => admin.disconnect());
  return admin;
}

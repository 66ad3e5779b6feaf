/**
 * The broker's side of controlled shutdown (Kafka's KafkaServer.controlledShutdown):
 * find the controller in ZooKeeper, send it ControlledShutdown(brokerId, brokerEpoch),
 * and while the answer lists partitions this broker still leads (or the request fails)
 * retry up to `controlled.shutdown.max.retries` times, `controlled.shutdown.retry.backoff.ms`
 * apart.
 */
import {
  ErrorCode,
  SystemTime,
  type Logger,
  type ScheduledTask,
  type Time,
  tpKey,
} from '@kzoo/common';
import { Connection } from '@kzoo/protocol';
import type { Broker } from '../Broker';

export interface ControlledShutdownOptions {
  maxRetries: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** The clock of the request deadline and the retry backoff (default: the system clock). */
  time?: Time;
}

/** Returns true when the controller reported no partition left on this broker. */
export async function controlledShutdown(
  broker: Broker,
  o: ControlledShutdownOptions,
): Promise<boolean> {
  const zk = broker.zkClient;
  const time = o.time ?? SystemTime;
  for (let attempt = 1; attempt <= o.maxRetries; attempt++) {
    if (zk.sessionState !== 'connected') {
      // Without ZooKeeper the controller cannot be found (and could not act): go on.
      o.logger.warn('not connected to ZooKeeper; skipping controlled shutdown', {
        state: zk.sessionState,
      });
      return false;
    }
    let conn: Connection | null = null;
    let timer: ScheduledTask | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = time.schedule(
        'controlled-shutdown-deadline',
        () => reject(new Error(`no answer within ${o.requestTimeoutMs} ms`)),
        o.requestTimeoutMs,
      );
    });
    try {
      const controllerId = await Promise.race([zk.getControllerId(), deadline]);
      if (controllerId === null) throw new Error('no controller');
      const reg = await Promise.race([zk.getBroker(controllerId), deadline]);
      if (!reg) throw new Error(`controller ${controllerId} is not registered`);
      const ep =
        reg.endpoints.find((e) => e.listenerName === broker.config.interBrokerListenerName) ??
        reg.endpoints[0];
      const to = broker.config.interBrokerAddress(controllerId, ep);
      conn = await Promise.race([
        Connection.connect({
          host: to.host,
          port: to.port,
          clientId: `broker-${broker.brokerId}-controlled-shutdown`,
          requestTimeoutMs: o.requestTimeoutMs,
          connectTimeoutMs: o.requestTimeoutMs,
          logger: o.logger,
        }),
        deadline,
      ]);
      const res = await conn.request(7, 0, {
        brokerId: broker.brokerId,
        brokerEpoch: broker.brokerEpoch,
      });
      if (res.errorCode === ErrorCode.NONE && res.remainingPartitions.length === 0) {
        o.logger.info('controlled shutdown succeeded', { attempt, controllerId });
        return true;
      }
      o.logger.warn('controlled shutdown not complete', {
        attempt,
        errorCode: res.errorCode,
        remaining: res.remainingPartitions
          .map((p) => tpKey(p.topicName, p.partitionIndex))
          .join(','),
      });
    } catch (e) {
      o.logger.warn('controlled shutdown request failed', { attempt, error: (e as Error).message });
    } finally {
      timer?.cancel();
      if (conn) void conn.close();
    }
    if (attempt < o.maxRetries) await time.sleep(o.retryBackoffMs);
  }
  o.logger.warn(
    'proceeding to do an unclean shutdown as all the controlled shutdown attempts failed',
  );
  return false;
}

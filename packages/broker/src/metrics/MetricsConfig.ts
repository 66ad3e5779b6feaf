/**
 * The broker keys of the Prometheus endpoint (kzoo only: Kafka exposes JMX and leaves
 * the HTTP side to the JMX exporter agent). Part of BROKER_CONFIG_DEF, so the generated
 * config table lists them and a bad value fails when the KafkaConfig is built.
 */
import { Range, type ConfigKey } from '@kzoo/common';

export const METRICS_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'kzoo.metrics.port',
    type: 'INT',
    default: 0,
    validator: Range.between(0, 65535),
    importance: 'MEDIUM',
    doc:
      'kzoo only: port of the Prometheus endpoint `http://<kzoo.metrics.host>:<port>/metrics` ' +
      "(Kafka's MBeans under the names the JMX exporter's standard Kafka rules give them); " +
      '0 = no endpoint.',
  },
  {
    name: 'kzoo.metrics.host',
    type: 'STRING',
    default: '127.0.0.1',
    importance: 'LOW',
    doc:
      'kzoo only: address the Prometheus endpoint binds; loopback by default, `0.0.0.0` to ' +
      'let a Prometheus on another host scrape it.',
  },
];

// metrics: the broker's Prometheus endpoint with Kafka's MBean names (as the JMX exporter maps them).
//   MetricsConfig.ts (kzoo.metrics.* keys), BrokerTopicStats.ts (bytes/messages in and out per topic),
//   BrokerMetrics.ts (the Registry, gauges computed on scrape, the /metrics HTTP server).
import * as metricsConfig from './MetricsConfig';
import * as brokerTopicStats from './BrokerTopicStats';
import * as requestTimeHistogram from './RequestTimeHistogram';
import * as brokerMetrics from './BrokerMetrics';

export import METRICS_CONFIG_KEYS = metricsConfig.METRICS_CONFIG_KEYS;

export type { TopicStats } from './BrokerTopicStats';
export import BrokerTopicStats = brokerTopicStats.BrokerTopicStats;

export import RequestTimeHistogram = requestTimeHistogram.RequestTimeHistogram;

export type { BrokerMetricsOptions } from './BrokerMetrics';
export import BrokerMetrics = brokerMetrics.BrokerMetrics;

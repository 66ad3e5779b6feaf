// metrics: the broker's Prometheus endpoint with Kafka's MBean names (as the JMX exporter maps them).
//   MetricsConfig.ts (kzoo.metrics.* keys), BrokerTopicStats.ts (bytes/messages in and out per topic),
//   BrokerMetrics.ts (the Registry, gauges computed on scrape, the /metrics HTTP server).
export * from './MetricsConfig';
export * from './BrokerTopicStats';
export * from './RequestTimeHistogram';
export * from './BrokerMetrics';

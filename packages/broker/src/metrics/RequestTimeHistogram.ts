/**
 * RequestTimeHistogram: `kafka_network_requestmetrics_totaltimems{request}` as a Prometheus
 * histogram, kept as plain numbers on the request path (a bucket index and three
 * additions, ~20 ns) and turned into prom-client's metric values on scrape; prom-client's
 * own Histogram hashes its labels on every observation (~600 ns), too much per request.
 * Registered in the broker's Registry like any metric (`registerMetric`), so prom-client
 * writes the exposition format.
 */

interface Series {
  /** Per bucket, not cumulative; the last one is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class RequestTimeHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds in ms, ascending. */
    private readonly buckets: readonly number[],
  ) {}

  observe(request: string, ms: number): void {
    let s = this.series.get(request);
    if (!s) {
      s = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(request, s);
    }
    let i = 0;
    while (i < this.buckets.length && ms > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += ms;
    s.count++;
  }

  /** What prom-client's Registry reads (the shape of its own Histogram's `get()`). */
  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }>;
  } {
    const values: Array<{
      metricName: string;
      labels: Record<string, string | number>;
      value: number;
    }> = [];
    for (const [request, s] of [...this.series].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le, request },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { le: '+Inf', request },
        value: s.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { request }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { request }, value: s.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  reset(): void {
    this.series.clear();
  }
}

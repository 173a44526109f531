import { Histogram, type HistogramConfiguration } from 'prom-client';

type Label = 'method' | 'route' | 'status';
type Labels = Record<Label, string>;

interface Series {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last slot is past the highest bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The HTTP request-duration histogram, observed on every request. prom-client's own observe
 * builds, checks and hashes a label object on every call, which came to several microseconds of
 * what GET /api/me and /api/health cost (bench/me.ts, bench/health.ts); `record` finds its series
 * by the three values and counts into an array. Scrapes read the same exposition prom-client
 * gives (buckets cumulative, +Inf, _sum, _count: test/server/observability/request-durations).
 *
 * The series are found route, then method, then status: the route and method are the same
 * strings on every request (the matched layer's path, Node's method name), whose hashes are
 * kept, where a key joined from the three was a new string to build and hash each time.
 */
export class RequestDurations extends Histogram<Label> {
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();
  private readonly series: Series[] = [];
  private readonly bounds: number[];
  private readonly about: { name: string; help: string; aggregator: string };

  constructor(configuration: HistogramConfiguration<Label> & { buckets: number[] }) {
    super(configuration);
    this.bounds = [...configuration.buckets].sort((a, b) => a - b);
    const { name, help, aggregator = 'sum' } = configuration;
    this.about = { name, help, aggregator };
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const series = this.byRoute.get(route)?.get(method)?.get(status) ?? this.add(method, route, status);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  private add(method: string, route: string, status: number): Series {
    const series: Series = {
      labels: { method, route, status: String(status) },
      counts: new Array<number>(this.bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    byStatus.set(status, series);
    this.series.push(series);
    return series;
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    (this.byRoute as Map<string, unknown> | undefined)?.clear();
    if (this.series) this.series.length = 0;
    super.reset();
  }

  /** What the registry reads at a scrape (and `get` from it), in prom-client's own shape. */
  async getForPromString() {
    const { name, help, aggregator } = this.about;
    const bucketName = `${name}_bucket`;
    const values: object[] = [];
    for (const { labels, counts, sum, count } of this.series) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({
          labels: { le },
          sharedLabels: labels,
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: labels,
          value: count,
          metricName: bucketName,
          exemplar: null,
        },
        { labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum`, exemplar: undefined },
        {
          labels: {},
          sharedLabels: labels,
          value: count,
          metricName: `${name}_count`,
          exemplar: undefined,
        },
      );
    }
    return { name, help, type: 'histogram', values, aggregator };
  }
}

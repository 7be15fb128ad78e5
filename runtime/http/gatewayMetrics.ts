import type { Counter, Histogram } from '../metrics/instruments.js';
import { secondsSince } from '../metrics/operation.js';
import type { MetricsRegistry } from '../metrics/registry.js';

/** The endpoint label of a path no route serves: user-chosen paths must not make series. */
export const OTHER_ENDPOINT = 'other';

/** Request counts by endpoint and result code, and request durations by endpoint, of the HTTP gateway. */
export class GatewayMetrics {
  private readonly byEndpoint = new Map<string, { seconds: Histogram; byCode: Map<number, Counter> }>();
  private readonly requests;
  private readonly seconds;

  constructor(registry: MetricsRegistry) {
    this.requests = registry.counter({ name: 'nuthatch_http_requests_total', help: 'HTTP API requests answered, by endpoint and result code (0: success; otherwise the error code of the body).', labels: ['endpoint', 'code'] });
    this.seconds = registry.histogram({ name: 'nuthatch_http_request_duration_seconds', help: 'Time to answer an HTTP API request, by endpoint.', labels: ['endpoint'] });
  }

  /** Counts a request answered with body code `code`, started at `startMs` (performance.now()). */
  observe(endpoint: string, code: number, startMs: number): void {
    let e = this.byEndpoint.get(endpoint);
    if (!e) { e = { seconds: this.seconds.labels(endpoint), byCode: new Map() }; this.byEndpoint.set(endpoint, e); }
    let c = e.byCode.get(code);
    if (!c) { c = this.requests.labels(endpoint, String(code)); e.byCode.set(code, c); }
    c.inc();
    e.seconds.observe(secondsSince(startMs));
  }
}

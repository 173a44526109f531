export { createMetrics, type Metrics, type MetricsSources, type LoginResult } from './registry.js';
export { requestMetrics } from './http.js';
export { metricsRoute, metricsListener, type MetricsSettings } from './endpoint.js';
export { serverSources, countedTransport } from './sources.js';

export { createMetrics, type Metrics, type MetricsSources, type LoginResult } from './registry.js';
export { routeLabel } from './http.js';
export { metricsRoutes, metricsListener, type MetricsSettings } from './endpoint.js';
export { serverSources, countedTransport } from './sources.js';

import { expect } from 'chai';
import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from '../../../server/metrics/request-durations.js';

const config = {
  name: 'mux1_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
};

// Values on and around the bounds, past the last, zero, in several series.
const observations: [string, string, number, number][] = [
  ['GET', '/api/health', 200, 0.001],
  ['GET', '/api/health', 200, 0.005],
  ['GET', '/api/health', 200, 0.0050001],
  ['GET', '/api/health', 503, 2.5],
  ['GET', '/api/me', 200, 0],
  ['POST', '/api/login', 401, 0.3],
  ['POST', '/api/login', 401, 11],
  ['GET', 'unmatched', 404, 0.02],
  ['GET', '/api/me', 200, 10],
];

describe('RequestDurations', () => {
  it('exposes exactly what a prom-client histogram given the same observations exposes', async () => {
    const theirs = new Registry();
    const reference = new Histogram({ ...config, registers: [theirs] });
    const ours = new Registry();
    const durations = new RequestDurations({ ...config, registers: [ours] });
    for (const [method, route, status, seconds] of observations) {
      reference.observe({ method, route, status: String(status) }, seconds);
      durations.record(method, route, status, seconds);
    }
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect(await durations.get()).to.deep.equal(await reference.get());
  });

  it('starts over on reset', async () => {
    const registry = new Registry();
    const durations = new RequestDurations({ ...config, registers: [registry] });
    durations.record('GET', '/api/me', 200, 0.01);
    durations.reset();
    expect((await durations.get()).values).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';
import { repoRoot } from '../../helpers/cli.js';

const TOKEN = 'metrics-token-for-deploy-files-0123';
const RULES = join(repoRoot, 'deploy', 'prometheus', 'mux1-alerts.yml');
const DASHBOARD = join(repoRoot, 'deploy', 'grafana', 'mux1-dashboard.json');

interface Rule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}

const rules = (): Rule[] =>
  (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

const dashboardExprs = (): string[] => {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return dash.panels.flatMap((p) => p.targets.map((t) => t.expr));
};

/**
 * The metric names a PromQL expression reads: identifiers before `{`, or standing alone, that are
 * not functions, keywords or label names. Prometheus' own `up` is left out: mux1 does not export it.
 */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  const words = withoutStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*\{|\s*[)\s/*+<>=-]|$)/g) ?? [];
  const notMetrics = new Set([
    'sum',
    'max',
    'min',
    'by',
    'and',
    'or',
    'offset',
    'rate',
    'increase',
    'histogram_quantile',
    'le',
    'up',
    'd',
    'm',
    'h',
    's',
  ]);
  return [...new Set(words.filter((w) => !notMetrics.has(w) && /_/.test(w)))];
}

/** Series names in the exposition text, with a histogram's _bucket, _sum and _count. */
function exported(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]!),
  );
}

describe('deploy/: alert rules and the Grafana dashboard', function () {
  this.timeout(30_000);
  let t: TestServer;
  let text: string;

  before(async () => {
    // Mail to an SMTP port where nothing listens stays pending: the outbox metrics have values.
    t = await startTestServer({
      env: { METRICS_TOKEN: TOKEN, SMTP_URL: `smtp://127.0.0.1:${await freePort()}` },
    });
    await fetch(`${t.url}/api/health`);
    const now = Date.now();
    await t.server.db('mail_outbox').insert({
      recipient: 'late@example.test',
      subject: 'late',
      text_body: 'x',
      html_body: 'x',
      created_at: now - 120_000,
      next_attempt_at: now + 3_600_000,
    });
    text = await eventually(
      async () => {
        const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        const body = await res.text();
        return res.ok && body.includes('mux1_http_request_duration_seconds_bucket') && body;
      },
      { what: 'a scrape with requests counted' },
    );
  });
  after(() => t?.close());

  it('every metric the rules and the dashboard read is exported by a running server', () => {
    const names = exported(text);
    const used = [...rules().map((r) => r.expr), ...dashboardExprs()].flatMap(metricsIn);
    expect(used.length, 'metrics found in the files').to.be.greaterThan(10);
    const missing = [...new Set(used)].filter((m) => !names.has(m));
    expect(missing, 'metrics the deploy files use that /metrics lacks').to.deep.equal([]);
  });

  it('the parser of expressions sees a metric that does not exist', () => {
    expect(
      metricsIn('sum(rate(mux1_no_such_total{job="mux1", status=~"5.."}[5m])) / process_open_fds > 2'),
    ).to.deep.equal(['mux1_no_such_total', 'process_open_fds']);
  });

  it('the oldest unsent mail has an age, in seconds', () => {
    const line = text.split('\n').find((l) => l.startsWith('mux1_outbox_oldest_pending_seconds '));
    expect(Number(line?.split(' ')[1])).to.be.at.least(120);
  });

  it('covers what an operator must hear about, each with a severity and a summary', () => {
    const all = rules();
    const exprs = all.map((r) => r.expr).join('\n');
    for (const needed of [
      'up{',
      'status=~"5..',
      'histogram_quantile(0.99',
      'result=~"failed|locked"',
      'state="pending"',
      'mux1_outbox_oldest_pending_seconds',
      'process_open_fds',
      'mux1_sockets_open',
      'status="503"',
    ]) {
      expect(exprs, needed).to.include(needed);
    }
    for (const r of all) {
      expect(r.labels?.severity, r.alert).to.be.oneOf(['warning', 'critical']);
      expect(r.annotations?.summary, r.alert).to.be.a('string');
    }
  });

  it('promtool accepts the rules', function () {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    if (check.error && (check.error as NodeJS.ErrnoException).code === 'ENOENT') {
      // CI installs Debian's prometheus package and runs this check; a developer machine may not.
      this.skip();
    }
    expect(check.status, check.stdout + check.stderr).to.equal(0);
    expect(check.stdout).to.match(new RegExp(`SUCCESS: ${rules().length} rules found`));
  });
});

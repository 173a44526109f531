import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { settings } from '../../../config/settings.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { repoRoot } from '../../helpers/cli.js';

/** The schema of each kind the overlays may hold; anything else is a mistake. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** `kubectl kustomize` of an overlay, as objects. */
function render(overlay: string): any[] {
  const out = spawnSync('kubectl', ['kustomize', join(repoRoot, 'deploy', 'k8s', 'overlays', overlay)], {
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).to.equal(0);
  return parseAllDocuments(out.stdout).map((d) => d.toJSON());
}

function validate(obj: any): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`unexpected object ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

const envNames = new Set<string>(Object.values(settings).map((s) => s.env));

describe('deploy/k8s: the kustomize overlays', function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async function () {
    if (!hasKubectl) {
      // CI installs Debian's kubernetes-client for this; a developer machine may have no kubectl.
      this.skip();
    }
    t = await startTestServer();
  });
  after(() => t?.close());

  const deploymentOf = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');
  const containerOf = (objects: any[]) => deploymentOf(objects).spec.template.spec.containers[0];
  const envOf = (objects: any[]) =>
    Object.fromEntries(containerOf(objects).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  for (const overlay of ['single', 'scale']) {
    describe(overlay, () => {
      let objects: any[];
      before(() => {
        objects = render(overlay);
      });

      it('renders objects that pass the Kubernetes schemas', () => {
        expect(objects.length).to.be.at.least(3);
        for (const obj of objects) validate(obj);
      });

      it('names only settings the server has, and the ports and probe paths it serves', async () => {
        const env = envOf(objects);
        const unknown = Object.keys(env).filter((name) => !envNames.has(name) && name !== 'NO_COLOR');
        expect(unknown, 'env names the server does not read').to.deep.equal([]);
        const c = containerOf(objects);
        const port = (name: string) => c.ports.find((p: any) => p.name === name).containerPort;
        expect(String(port('http'))).to.equal(env.PORT);
        expect(String(port('metrics'))).to.equal(env.METRICS_PORT);
        expect(env.HOST).to.equal('0.0.0.0');
        expect(c.readinessProbe.httpGet).to.deep.include({ path: '/api/health', port: 'http' });
        // Liveness must not follow the database: /api/health answers 503 when it is slow.
        expect(c.livenessProbe.httpGet.path).to.not.match(/health/);
        for (const path of [c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]) {
          expect((await fetch(t.url + path)).status, path).to.equal(200);
        }
        const service = objects.find((o) => o.kind === 'Service');
        expect(service.spec.ports.map((p: any) => p.targetPort)).to.include.members(['http', 'metrics']);
      });

      it('runs as non-root on a read-only root, with requests, limits and a matched shutdown', () => {
        const pod = deploymentOf(objects).spec.template.spec;
        const c = containerOf(objects);
        expect(pod.securityContext.runAsNonRoot).to.equal(true);
        expect(c.securityContext).to.deep.include({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(c.resources.requests).to.have.keys('cpu', 'memory');
        expect(c.resources.limits).to.have.keys('cpu', 'memory');
        const preStop = Number(c.lifecycle.preStop.exec.command.at(-1));
        // The server exits at most 10 s after SIGTERM (server/run.ts).
        expect(pod.terminationGracePeriodSeconds).to.be.at.least(preStop + 10);
      });
    });
  }

  it('single: one replica, Recreate, SQLite on the PersistentVolumeClaim', () => {
    const objects = render('single');
    const d = deploymentOf(objects);
    expect(d.spec.replicas).to.equal(1);
    expect(d.spec.strategy.type).to.equal('Recreate');
    const env = envOf(objects);
    const mount = containerOf(objects).volumeMounts.find((m: any) => m.name === 'data');
    expect(env.DATABASE_URL.startsWith(mount.mountPath + '/')).to.equal(true);
    const claim = d.spec.template.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim
      .claimName;
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim)).to.equal(
      true,
    );
  });

  it('scale: replicas, PostgreSQL and Redis from the Secret, an autoscaler and a disruption budget for it', () => {
    const objects = render('scale');
    const d = deploymentOf(objects);
    expect(d.spec.replicas).to.be.greaterThan(1);
    const env = envOf(objects);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'CHALLENGE_SECRET']) {
      expect(env[name]?.secretKeyRef?.name, name).to.equal('mux1');
    }
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).to.include({ kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.minReplicas).to.be.greaterThan(1);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
    expect(d.spec.template.metadata.labels).to.deep.include(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).to.be.below(hpa.spec.minReplicas);
  });

  it('the schemas refuse a broken object', () => {
    const objects = render('single');
    const broken = structuredClone(deploymentOf(objects));
    broken.spec.replicas = 'three';
    expect(() => validate(broken)).to.throw();
    expect(() => validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).to.throw(/unexpected/);
  });
});

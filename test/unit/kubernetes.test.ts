import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { REPO_ROOT } from '../helpers/cli.js';
import { LoadMetrics } from '../../src/live/load-metrics.js';
import { SERVER_METRICS } from '../../src/contract/server-counters.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
};

function load(file: string): { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] {
  return parseAllDocuments(readFileSync(path.join(REPO_ROOT, 'deploy/kubernetes', file), 'utf8')).map(
    (d) => d.toJSON() as { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> },
  );
}

describe('deploy/kubernetes manifests', { timeout: 20_000 }, () => {
  it('every object validates against the Kubernetes schema', () => {
    for (const file of ['server.yaml', 'load-job.yaml', 'merge-job.yaml']) {
      for (const obj of load(file)) {
        const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
        assert.ok(Model, `${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
        assert.doesNotThrow(() => new Model(obj as never).validate(), `${file}: ${obj.kind} ${obj.metadata.name}`);
      }
    }
  });

  it('the load is an Indexed Job whose pods run their shard with a shared start and a shared results volume', () => {
    const job = load('load-job.yaml').find((o) => o.kind === 'Job')!;
    const spec = job.spec as {
      completionMode: string;
      completions: number;
      parallelism: number;
      template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string }[] }[] } };
    };
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.completions, spec.parallelism);
    const c = spec.template.spec.containers[0];
    const cmd = c.args.join(' ');
    assert.match(cmd, new RegExp(`--shard "\\$JOB_COMPLETION_INDEX/${spec.completions}"`));
    assert.match(cmd, /--start-at "\$START_AT"/);
    assert.match(cmd, /--out "\/results\/shard-\$JOB_COMPLETION_INDEX"/);
    assert.equal(c.volumeMounts[0].mountPath, '/results');
    const merge = load('merge-job.yaml')[0].spec as { template: { spec: { containers: { args: string[] }[] } } };
    assert.match(merge.template.spec.containers[0].args.join(' '), /wsbench merge \/results\/shard-\*\/\*\.json/);
    const server = load('server.yaml').find((o) => o.kind === 'Deployment')!;
    assert.match(JSON.stringify(server.spec), /"serve","--port","8080","--workers","auto"/);
  });

  it('every load shard exposes --metrics-port with scrape annotations and a PodMonitor; the server its /metrics', () => {
    const job = load('load-job.yaml').find((o) => o.kind === 'Job')!;
    const template = (job.spec as { template: PodTemplate }).template;
    const c = template.spec.containers[0];
    const port = /--metrics-port (\d+) --metrics-host 0\.0\.0\.0/.exec(c.args.join(' '));
    assert.ok(port, 'the load listens for scrapes on every interface of its pod');
    assert.deepEqual(c.ports, [{ name: 'metrics', containerPort: Number(port[1]) }]);
    assert.deepEqual(template.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': port[1], 'prometheus.io/path': '/metrics' });
    const server = load('server.yaml').find((o) => o.kind === 'Deployment')!;
    const serverTemplate = (server.spec as { template: PodTemplate }).template;
    assert.equal(serverTemplate.metadata.annotations['prometheus.io/port'], String(serverTemplate.spec.containers[0].ports[0].containerPort));

    // PodMonitor is a CRD (no schema in kubernetes-models): each selects the pods and names a port they have.
    const monitors = load('podmonitor.yaml') as unknown as PodMonitor[];
    const pods = { 'wsbench-load': template, 'wsbench-server': serverTemplate };
    assert.equal(monitors.length, 2);
    for (const m of monitors) {
      assert.equal(m.apiVersion, 'monitoring.coreos.com/v1');
      assert.equal(m.kind, 'PodMonitor');
      const app = m.spec.selector.matchLabels['app.kubernetes.io/name'] as keyof typeof pods;
      const pod = pods[app];
      assert.ok(pod, `${m.metadata.name} selects ${app}`);
      assert.equal(pod.metadata.labels['app.kubernetes.io/name'], app);
      const portNames = pod.spec.containers.flatMap((x) => x.ports.map((p) => p.name));
      for (const e of m.spec.podMetricsEndpoints) {
        assert.ok(portNames.includes(e.port), `${m.metadata.name}: port ${e.port} is one of ${portNames.join(', ')}`);
        assert.equal(e.path, '/metrics');
      }
    }
  });

  it('the Grafana dashboard reads metrics that exist, summing counters and histogram buckets over shards', () => {
    const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy/grafana/wsbench-live.json'), 'utf8')) as {
      panels: { title: string; gridPos: { x: number }; targets: { expr: string }[] }[];
    };
    const known = new Set([
      ...new LoadMetrics().registry.getMetricsAsArray().map((m) => m.name),
      ...Object.values(SERVER_METRICS).map((m) => m.name),
      'wsbench_socket_errors_total',
    ]);
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/wsbench_[a-z0-9_]+/g)) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        assert.ok(known.has(base) || known.has(name), `${expr}: ${name} is not a metric of serve or load`);
      }
      // Over shards: a rate or a gauge is summed (or maxed), a quantile comes from summed buckets.
      if (expr.includes('_bucket')) assert.match(expr, /^histogram_quantile\(0\.\d+, sum by \(le, run\) \(rate\(wsbench_load_\w+_bucket/);
      else assert.match(expr, /^(sum|max)( by \([a-z, ]+\))? ?\(/, expr);
    }
    // Side by side: the server's panels on the left, the load's on the right.
    for (const p of dashboard.panels) assert.equal(p.gridPos.x, p.title.startsWith('Server') ? 0 : 12, p.title);
  });
});

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: { containers: { args: string[]; ports: { name: string; containerPort: number }[] }[] };
}

interface PodMonitor {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string; path: string }[] };
}

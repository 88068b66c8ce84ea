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
});

import { apps, batch, policy, v1 } from 'kubernetes-models';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listRepoFiles, parseYamlDocuments, readRepoFile } from './repo.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of many shapes, checked field by field
type Obj = Record<string, any>;
interface Doc {
  file: string;
  obj: Obj;
}

const files = listRepoFiles('infra/k8s', ['.yaml', '.yml']).filter(
  (f) => !f.endsWith('/kustomization.yaml'),
);
const docs: Doc[] = files.flatMap((file) =>
  parseYamlDocuments(file).map((obj) => ({ file, obj: obj as Obj })),
);
const ofKind = (kind: string) => docs.filter((d) => d.obj.kind === kind).map((d) => d.obj);
const one = (kind: string, name: string): Obj => {
  const found = ofKind(kind).find((o) => o.metadata?.name === name);
  if (!found) throw new Error(`infra/k8s has no ${kind} named "${name}"`);
  return found;
};

/** Schema validation from kubernetes-models (the Kubernetes OpenAPI schemas). */
const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/Namespace': v1.Namespace,
  'v1/ConfigMap': v1.ConfigMap,
  'v1/Secret': v1.Secret,
  'v1/ServiceAccount': v1.ServiceAccount,
  'v1/Service': v1.Service,
  'apps/v1/Deployment': apps.v1.Deployment,
  'batch/v1/Job': batch.v1.Job,
  'policy/v1/PodDisruptionBudget': policy.v1.PodDisruptionBudget,
} as never;

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function podSpecs(): Array<{ name: string; spec: Obj }> {
  return [...ofKind('Deployment'), ...ofKind('Job')].map((o) => ({
    name: `${o.kind}/${o.metadata.name}`,
    spec: o.spec.template.spec,
  }));
}

describe('Kubernetes manifests', () => {
  it('parse, and every document has apiVersion, kind and metadata.name', () => {
    expect(docs.length).toBeGreaterThanOrEqual(10);
    for (const { file, obj } of docs) {
      expect(obj.apiVersion, file).toEqual(expect.any(String));
      expect(obj.kind, file).toEqual(expect.any(String));
      expect(obj.metadata?.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('validate against the Kubernetes schemas for every core kind', () => {
    let validated = 0;
    for (const { file, obj } of docs) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      if (obj.apiVersion === 'keda.sh/v1alpha1') continue; // checked by hand below
      expect(Model, `${file}: no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      expect(() => new (Model as NonNullable<typeof Model>)(obj).validate(), file).not.toThrow();
      validated++;
    }
    const keda = ofKind('ScaledObject').length + ofKind('TriggerAuthentication').length;
    expect(validated).toBe(docs.length - keda);
  });

  it('schema validation catches a broken Deployment (the check can fail)', () => {
    const broken = structuredClone(one('Deployment', 'kpress-worker'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'not-a-number';
    expect(() => new apps.v1.Deployment(broken as never).validate()).toThrow();
  });

  it('has Deployment selectors that match their pod template labels', () => {
    for (const d of ofKind('Deployment')) {
      expect(
        matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels),
        d.metadata.name,
      ).toBe(true);
    }
  });

  it('points every probe at a port the container declares', () => {
    for (const { name, spec } of podSpecs()) {
      for (const c of spec.containers as Obj[]) {
        const declared = new Set<string | number>();
        for (const p of c.ports ?? []) {
          declared.add(p.containerPort);
          if (p.name) declared.add(p.name);
        }
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
          if (c[probe]) expect(declared.has(port), `${name} ${probe} port ${port}`).toBe(true);
        }
      }
    }
  });

  it('probes the worker on /healthz at 9464, runs it non-root, with a 120 s grace period', () => {
    const w = one('Deployment', 'kpress-worker').spec.template.spec;
    const c = w.containers[0];
    expect(c.ports).toContainEqual(expect.objectContaining({ containerPort: 9464 }));
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(w.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
    expect(w.securityContext.runAsNonRoot).toBe(true);
  });

  it('gives each worker slot its KPRESS_SLOT_MEMORY_MB within the limit: ~150 MB + slots x slot', () => {
    const c = one('Deployment', 'kpress-worker').spec.template.spec.containers[0];
    const slots = Number(c.args[c.args.indexOf('--concurrency') + 1]);
    expect(slots).toBeGreaterThanOrEqual(1);
    const slotMb = Number(one('ConfigMap', 'kpress-config').data.KPRESS_SLOT_MEMORY_MB);
    expect(slotMb).toBeGreaterThanOrEqual(1);
    const bytes = (q: string) => {
      const m = /^(\d+)(Mi|Gi)$/.exec(q);
      if (!m) throw new Error(`unexpected memory quantity "${q}"`);
      return Number(m[1]) * (m[2] === 'Gi' ? 2 ** 30 : 2 ** 20);
    };
    const limit = bytes(c.resources.limits.memory);
    expect(limit).toBeGreaterThanOrEqual(150e6 + slots * slotMb * 2 ** 20);
    expect(bytes(c.resources.requests.memory)).toBeGreaterThanOrEqual(slots * 500 * 2 ** 20);
    expect(limit).toBeGreaterThanOrEqual(bytes(c.resources.requests.memory));
  });

  it('has a PodDisruptionBudget selecting the worker pods', () => {
    const pdb = one('PodDisruptionBudget', 'kpress-worker');
    const labels = one('Deployment', 'kpress-worker').spec.template.metadata.labels;
    expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
  });

  it('scales the worker Deployment with KEDA on the BullMQ wait list of KPRESS_QUEUE, and keeps workers while jobs are active', () => {
    const so = one('ScaledObject', 'kpress-worker');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    const target = so.spec.scaleTargetRef;
    expect(target.kind ?? 'Deployment').toBe('Deployment');
    expect(ofKind('Deployment').map((d) => d.metadata.name)).toContain(target.name);
    expect(so.spec.minReplicaCount).toBeLessThanOrEqual(so.spec.maxReplicaCount);
    expect(so.spec.triggers).toHaveLength(2);
    const [trigger, active] = so.spec.triggers;
    // a finalize runs with an empty wait list: the active list keeps a replica for it
    expect(active.type).toBe('redis');
    expect(active.metadata.listName).toBe(
      `bull:${one('ConfigMap', 'kpress-config').data.KPRESS_QUEUE}:active`,
    );
    expect(active.metadata.activationListLength).toBe('0');
    const slots = Number(active.metadata.listLength);
    const args: string[] =
      one('Deployment', 'kpress-worker').spec.template.spec.containers[0].args ?? [];
    const concurrency = args.includes('--concurrency')
      ? Number(args[args.indexOf('--concurrency') + 1])
      : slots;
    expect(slots).toBe(concurrency);
    expect(active.authenticationRef).toEqual(trigger.authenticationRef);
    expect(trigger.type).toBe('redis');
    const queue = one('ConfigMap', 'kpress-config').data.KPRESS_QUEUE;
    expect(trigger.metadata.listName).toBe(`bull:${queue}:wait`);
    expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
    expect(typeof trigger.metadata.listLength).toBe('string'); // KEDA metadata is strings
    expect(trigger.metadata.address).toMatch(/:\d+$/);
  });

  it('wires env from the ConfigMap, with credentials only by Secret reference', () => {
    const cm = one('ConfigMap', 'kpress-config');
    for (const key of [
      'AWS_REGION',
      'KPRESS_QUEUE',
      'KPRESS_METRICS_PORT',
      'KPRESS_METRICS_HOST',
      'KPRESS_SLOT_MEMORY_MB',
    ]) {
      expect(cm.data[key], key).toEqual(expect.any(String));
    }
    expect(JSON.stringify(cm.data)).not.toMatch(/SECRET|ACCESS_KEY|REDIS_URL/);
    for (const { name, spec } of podSpecs()) {
      const refs = (spec.containers[0].envFrom ?? []) as Obj[];
      expect(
        refs.some((r) => r.configMapRef?.name === 'kpress-config'),
        name,
      ).toBe(true);
    }
    const worker = one('Deployment', 'kpress-worker').spec.template.spec.containers[0];
    expect(worker.envFrom).toContainEqual({ secretRef: { name: 'kpress-s3', optional: true } });
  });

  it('connects every pod and the scaler to Redis with AUTH from the kpress-redis Secret', () => {
    for (const { name, spec } of podSpecs()) {
      const refs = (spec.containers[0].envFrom ?? []) as Obj[];
      // required, not optional: a pod without the password must not start
      expect(refs, name).toContainEqual({ secretRef: { name: 'kpress-redis' } });
    }
    const example = parseYamlDocuments('infra/k8s/secret.example.yaml') as Obj[];
    const secret = example.find((d) => d.metadata?.name === 'kpress-redis');
    expect(secret?.stringData?.REDIS_URL).toMatch(/^rediss?:\/\/:[^@]+@/);
    const trigger = one('ScaledObject', 'kpress-worker').spec.triggers[0];
    const auth = one('TriggerAuthentication', trigger.authenticationRef.name);
    expect(auth.spec.secretTargetRef).toContainEqual({
      parameter: 'password',
      name: 'kpress-redis',
      key: 'REDIS_PASSWORD',
    });
    expect(secret?.stringData).toHaveProperty('REDIS_PASSWORD');
  });

  it('runs the producer as a Job of `kpress enqueue` and the dashboard behind a Service', () => {
    const job = one('Job', 'kpress-enqueue');
    expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
    expect(job.spec.template.spec.containers[0].args[0]).toBe('enqueue');
    const svc = one('Service', 'kpress-dashboard');
    const dash = one('Deployment', 'kpress-dashboard');
    expect(matches(svc.spec.selector, dash.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0].port).toBe(3000);
    const args = dash.spec.template.spec.containers[0].args as string[];
    expect(args[args.indexOf('--host') + 1]).toBe('0.0.0.0');
  });

  it('lists in kustomization.yaml every manifest but the example Secret', () => {
    const k = parse(readRepoFile('infra/k8s/kustomization.yaml')) as Obj;
    expect(k.kind).toBe('Kustomization');
    const listed = (k.resources as string[]).map((r) => `infra/k8s/${r}`).sort();
    expect(listed).toEqual(files.filter((f) => !f.endsWith('.example.yaml')).sort());
    expect(ofKind('Secret').every((s) => JSON.stringify(s).includes('REPLACE_ME'))).toBe(true);
  });
});

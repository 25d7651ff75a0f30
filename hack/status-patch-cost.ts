// What a Canary /status merge patch costs the API server, against the same patch with the CRD's
// CEL rules removed, a Deployment patch and a ConfigMap patch of the same size: one local control
// plane, one client, patches one after another, so a patch's latency is the API server's (and
// etcd's) work for it. Figures for docs/benchmarks.md ("Why a status patch costs twice a route
// patch"). Run: npx tsx hack/status-patch-cost.ts [patches per case, default 300]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { WEIGHTLIFTER_MANIFESTS } from '../bench/fleet.js';
import { repoRoot } from '../dev/local/paths.js';
import { startControlPlane } from '../dev/local/control-plane.js';
import { waitUntil } from '../dev/local/wait.js';
import type { CanaryStatus } from '../src/api/canary.js';
import { loadKubeConfig } from '../src/kube/client.js';
import { KubeRawClient } from '../src/kube/raw-client.js';

const PATCHES = Number(process.argv[2] ?? 300);
const NS = 'default';

/** A status like one of a run's weight steps at 30 %, with one earlier run in its history. */
function status(i: number): CanaryStatus {
  const at = new Date(Date.UTC(2026, 11, 5, 12, 0, i % 60)).toISOString();
  const checks = [
    { metric: 'success-rate', result: 'Successful' as const, value: 100 },
    { metric: 'latency-p99', result: 'Successful' as const, value: 41.5 },
  ];
  const steps = [10, 20, 30].map((weight) => ({ at, weight, checks }));
  return {
    observedGeneration: 1,
    phase: 'Progressing',
    phaseSince: at,
    canaryWeight: 30,
    stepIndex: 2 + (i % 2),
    failedChecks: 0,
    revision: 'abcdef012345',
    lastPromotedRevision: '0123456789ab',
    lastAnalysisAt: at,
    dataSeen: true,
    lastAnalysis: checks.map((c) => ({ ...c, at })),
    history: [
      { revision: '0123456789ab', startedAt: at, endedAt: at, result: 'Succeeded', steps },
      { revision: 'abcdef012345', startedAt: at, steps },
    ],
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Progressing',
        message: `advanced to weight ${String(30 + (i % 2))}`,
        lastTransitionTime: at,
        observedGeneration: 1,
      },
    ],
  };
}

function stripCel(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripCel);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'x-kubernetes-validations') out[k] = stripCel(v);
  }
  return out;
}

async function timed(what: string, patch: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await patch(i); // warm-up: connections, caches, JIT
  const ms: number[] = [];
  for (let i = 0; i < PATCHES; i++) {
    const t0 = performance.now();
    await patch(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const p = (q: number): string => (ms[Math.floor(q * (ms.length - 1))] ?? 0).toFixed(1);
  console.log(
    `${what.padEnd(44)} mean ${mean.toFixed(1)} ms  p50 ${p(0.5)}  p90 ${p(0.9)}  (${String(PATCHES)} patches)`,
  );
}

async function main(): Promise<void> {
  console.log('status-patch-cost: starting a local control plane (about 10 s)...');
  const cp = await startControlPlane({ controllerManager: false });
  try {
    const raw = new KubeRawClient(loadKubeConfig({ kubeconfigPath: cp.adminKubeconfig }));
    const crdYaml = await readFile(join(repoRoot(), 'crds', 'canary.yaml'), 'utf8');
    const crd = parseAllDocuments(crdYaml)[0]?.toJS() as Record<string, unknown>;
    const canaryPath = `/apis/weightlifter.io/v1alpha1/namespaces/${NS}/canaries`;
    // The bench's own Canary (bench/fleet.ts): interval 10 s, steps 10..50, two trafficMetrics checks.
    const bench = (name: string): unknown =>
      WEIGHTLIFTER_MANIFESTS.manifest(
        { namespace: NS, name, key: `${NS}/${name}`, shard: undefined },
        { router: 'smi', intervalSeconds: 10, windowSeconds: 10, steps: 5 },
      );
    const size = JSON.stringify({ status: status(0) }).length;
    console.log(`status body ${String(size)} bytes; CRD ${String(crdYaml.length)} bytes of YAML`);

    await raw.create(canaryPath, bench('with-cel'));
    await timed('Canary /status, CRD as shipped (CEL rules)', (i) =>
      raw.patch(`${canaryPath}/with-cel/status`, { status: status(i) }),
    );

    await raw.create(`/api/v1/namespaces/${NS}/configmaps`, {
      metadata: { name: 'same-size', namespace: NS },
      data: { status: JSON.stringify(status(0)) },
    });
    await timed('ConfigMap patch, same bytes', (i) =>
      raw.patch(`/api/v1/namespaces/${NS}/configmaps/same-size`, {
        data: { status: JSON.stringify(status(i)) },
      }),
    );

    await raw.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'app', namespace: NS },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels: { app: 'app' } },
          spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
        },
      },
    });
    await timed('Deployment patch (an annotation)', (i) =>
      raw.patch(`/apis/apps/v1/namespaces/${NS}/deployments/app`, {
        metadata: { annotations: { 'bench/i': String(i) } },
      }),
    );

    // The same CRD without x-kubernetes-validations: every rule gone, nothing else changed.
    const name = (crd.metadata as { name: string }).name;
    const live = await raw.get<{ metadata: { resourceVersion: string } }>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    );
    const stripped = stripCel(crd) as Record<string, unknown>;
    (stripped.metadata as Record<string, unknown>).resourceVersion = live.metadata.resourceVersion;
    await raw.replace(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, stripped);
    // The API server reloads the CRD's handler in the background; the rules are gone once a Canary
    // that breaks one (unsorted step weights) is accepted.
    const unsorted = bench('cel-probe') as { spec: { analysis: Record<string, unknown> } };
    unsorted.spec.analysis.stepWeights = [20, 10];
    await waitUntil(async () => (await raw.create(canaryPath, unsorted), true), {
      what: 'the Canary CRD served without its CEL rules',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await raw.create(canaryPath, bench('without-cel'));
    await timed('Canary /status, CRD without CEL rules', (i) =>
      raw.patch(`${canaryPath}/without-cel/status`, { status: status(i) }),
    );
    await timed('Canary /status, tiny patch, no CEL', (i) =>
      raw.patch(`${canaryPath}/without-cel/status`, { status: { stepIndex: i % 2 } }),
    );
    await timed('Canary annotation (main resource), no CEL', (i) =>
      raw.patch(`${canaryPath}/without-cel`, {
        metadata: { annotations: { 'bench/i': String(i) } },
      }),
    );

    // A CRD with the smallest schema (status preserved as is) and a status subresource.
    await raw.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      metadata: { name: 'blobs.bench.example' },
      spec: {
        group: 'bench.example',
        scope: 'Namespaced',
        names: { plural: 'blobs', singular: 'blob', kind: 'Blob', listKind: 'BlobList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        ],
      },
    });
    const blobs = `/apis/bench.example/v1/namespaces/${NS}/blobs`;
    const blob = { ...(bench('b') as object), apiVersion: 'bench.example/v1', kind: 'Blob' };
    // Created once the API server serves the new CRD (Established).
    await waitUntil(async () => (await raw.create(blobs, blob), true), {
      what: 'the minimal-schema CRD served',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await timed('minimal-schema CRD /status, same status', (i) =>
      raw.patch(`${blobs}/b/status`, { status: status(i) }),
    );
  } finally {
    await cp.stop();
  }
}

await main();

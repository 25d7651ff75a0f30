import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_ANNOTATIONS as A } from '../../dev/local/emulator/annotations.js';
import type { DeploymentStatus } from '../../dev/local/emulator/objects.js';
import { writeTrafficSplitVariant } from '../../dev/local/smi-crds.js';
import { startWorld, type World } from '../../dev/local/world.js';
import { startE2E } from '../e2e/harness.js';
import {
  apply,
  deploymentYaml,
  docs,
  namespaceYaml,
  pollFor,
  serviceYaml,
  uniqueNamespace,
} from './world-helpers.js';

// A control plane where nothing runs pods (no kube-controller-manager, so no kwok either) and
// only TrafficSplit v1alpha2 is served, as OSM installs it: the emulator plays the kubelet.
let world: World;
let crdDir: string;

beforeAll(async () => {
  crdDir = await mkdtemp(join(tmpdir(), 'weightlifter-crd-'));
  world = await startWorld({
    controlPlaneOptions: {
      controllerManager: false,
      smiCrdFiles: await writeTrafficSplitVariant(crdDir, ['v1alpha2']),
    },
  });
}, 120_000);

afterAll(async () => {
  await world.stop();
  await rm(crdDir, { recursive: true, force: true });
}, 60_000);

async function status(ns: string, name: string): Promise<DeploymentStatus> {
  const r = await world.controlPlane.kubectl(['get', 'deployment', name, '-n', ns, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { status?: DeploymentStatus }).status ?? {};
}

const condition = (s: DeploymentStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('the emulator as kubelet', () => {
  it('is on because no pods are run', () => {
    expect(world.controlPlane.podsRunByKwok).toBe(false);
    expect(world.emulator.kubelet).toBe(true);
  });

  it('rolls a Deployment out through the status subresource, honouring minReadySeconds', async () => {
    const ns = uniqueNamespace('kubelet-ok');
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'web', {
          replicas: 3,
          annotations: { [A.readyDelaySeconds]: '1' },
          extraSpec: '  minReadySeconds: 2\n',
        }),
      ),
    );
    // Ready before available: minReadySeconds separates the two.
    const ready = await pollFor('web ready', async () => {
      const s = await status(ns, 'web');
      return s.readyReplicas === 3 ? s : undefined;
    });
    expect(ready.observedGeneration).toBe(1);
    expect(ready.updatedReplicas).toBe(3);
    // The API server omits zero counts (omitempty), as it does for the real controller's writes.
    expect(ready.availableReplicas ?? 0).toBe(0);
    const done = await pollFor('web available', async () => {
      const s = await status(ns, 'web');
      return s.availableReplicas === 3 ? s : undefined;
    });
    expect(done).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3 });
    expect(condition(done, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(condition(done, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });

    // A scale change is a new generation, observed and rolled out the same way.
    expect(
      (await world.controlPlane.kubectl(['scale', 'deployment/web', '-n', ns, '--replicas=1']))
        .code,
    ).toBe(0);
    const scaled = await pollFor('web scaled to 1', async () => {
      const s = await status(ns, 'web');
      return s.observedGeneration === 2 && s.replicas === 1 ? s : undefined;
    });
    expect(scaled).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  }, 60_000);

  it('reports ProgressDeadlineExceeded for a never-ready template, and serves it no traffic', async () => {
    const ns = uniqueNamespace('kubelet-bad');
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'stuck', {
          annotations: { [A.ready]: 'false' },
          extraSpec: '  progressDeadlineSeconds: 3\n',
        }),
        serviceYaml(ns, 'stuck', { app: 'stuck' }, 50),
      ),
    );
    const s = await pollFor('stuck exceeds its deadline', async () => {
      const st = await status(ns, 'stuck');
      return condition(st, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? st : undefined;
    });
    expect(condition(s, 'Progressing')?.status).toBe('False');
    expect([s.readyReplicas ?? 0, s.availableReplicas ?? 0, s.updatedReplicas]).toEqual([0, 0, 1]);
    // Requests to a Service without ready endpoints fail at the client's proxy; no pod sees one.
    await pollFor('outbound 503s for stuck', () =>
      world.emulator
        .metricsText()
        .includes(`dst_namespace="${ns}",dst_service="stuck",status_code="503"`)
        ? true
        : undefined,
    );
    expect(world.emulator.metricsText()).not.toContain(`namespace="${ns}",deployment="stuck",pod=`);
  }, 60_000);
});

describe('only TrafficSplit v1alpha2 served', () => {
  it('is the only version watched, and its weights route the traffic', async () => {
    expect(world.emulator.splitVersions()).toEqual(['v1alpha2']);
    const ns = uniqueNamespace('kubelet-split');
    await apply(
      world,
      docs(
        namespaceYaml(ns),
        deploymentYaml(ns, 'a'),
        deploymentYaml(ns, 'b'),
        serviceYaml(ns, 'apex', { app: 'a' }, 100),
        serviceYaml(ns, 'a', { app: 'a' }),
        serviceYaml(ns, 'b', { app: 'b' }),
        `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: {name: apex, namespace: ${ns}}
spec:
  service: apex
  backends: [{service: a, weight: 80}, {service: b, weight: 20}]
`,
      ),
    );
    await pollFor('both backends ready in the emulator', () => {
      const t = world.emulator.targets().find((x) => x.namespace === ns && x.service === 'apex');
      return t?.backends.every((b) => b.readyPods === 1) === true ? true : undefined;
    });
    world.emulator.resetObserved(ns, 'apex');
    const observed = await pollFor('500 requests', () => {
      const o = world.emulator.observedSplit(ns, 'apex');
      const total = (o.a ?? 0) + (o.b ?? 0);
      return total >= 500 ? { b: o.b ?? 0, total } : undefined;
    });
    expect(Math.abs(observed.b / observed.total - 0.2)).toBeLessThanOrEqual(0.05);
  }, 60_000);
});

describe('the e2e harness on a control plane without kwok', () => {
  it('refuses to start, naming the install command, instead of turning the endpoint gate off', async () => {
    await expect(
      startE2E('no-kwok', { world: { controlPlane: world.controlPlane }, startController: false }),
    ).rejects.toThrow(
      'e2e tests need pods run by kube-scheduler and kwok, so that the endpoint gate is tested too ' +
        '(kube-controller-manager disabled by option: Deployments get no ReplicaSets): install ' +
        'them with `bash hack/setup.sh`',
    );
  }, 60_000);
});

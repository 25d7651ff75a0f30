// The emulator's CPU model: a pod uses the base plus cpu-millicores-per-rps times the requests
// per second it handles, shared evenly by its Deployment's Ready pods, spread over its containers
// by their CPU requests.
import { describe, expect, it } from '@jest/globals';
import type { PodObject } from '../../../dev/local/emulator/objects.js';
import {
  BASE_CPU_MILLICORES,
  CONTAINER_MEMORY,
  containerMetrics,
  deploymentOf,
  podCpuMillicores,
  podMetrics,
  type UsageInputs,
} from '../../../dev/local/emulator/resource-usage.js';

interface PodOptions {
  readonly deployment?: string;
  readonly hash?: string;
  readonly phase?: string;
  readonly ready?: boolean;
  readonly deleting?: boolean;
  readonly containers?: readonly { name: string; cpu?: string }[];
}

function pod(name: string, o: PodOptions = {}): PodObject {
  const hash = o.hash ?? 'abc12';
  return {
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: o.deployment ?? 'web', 'pod-template-hash': hash },
      ownerReferences:
        o.deployment === ''
          ? []
          : [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${o.deployment ?? 'web'}-${hash}`,
                uid: 'u',
                controller: true,
              },
            ],
      ...(o.deleting === true ? { deletionTimestamp: '2026-12-05T00:00:00Z' } : {}),
    },
    spec: {
      containers: (o.containers ?? [{ name: 'app', cpu: '100m' }]).map((c) => ({
        name: c.name,
        resources: c.cpu === undefined ? {} : { requests: { cpu: c.cpu } },
      })),
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

/** Millicores of a PodMetrics container's `<n>n` CPU. */
const milli = (cpu: string | undefined): number => Number(cpu?.replace(/n$/, '')) / 1e6;

function inputs(over: Partial<UsageInputs> = {}): UsageInputs {
  return {
    cpuMillicoresPerRps: (_ns, d) => (d === 'web' ? 2 : d === 'api' ? 0 : undefined),
    rps: (_ns, d) => (d === 'web' ? 30 : d === 'api' ? 100 : 0),
    atMs: Date.UTC(2026, 11, 5, 1, 2, 3, 456),
    windowMs: 5_000,
    ...over,
  };
}

describe('podCpuMillicores', () => {
  it('is the base plus cpu-millicores-per-rps × the requests per second', () => {
    expect(podCpuMillicores(0, 5)).toBe(BASE_CPU_MILLICORES);
    expect(podCpuMillicores(20, 0)).toBe(BASE_CPU_MILLICORES);
    expect(podCpuMillicores(20, 5)).toBe(BASE_CPU_MILLICORES + 100);
    expect(podCpuMillicores(2.5, 0.4)).toBe(BASE_CPU_MILLICORES + 1);
  });
});

describe('containerMetrics', () => {
  it('spreads the CPU by the containers CPU requests, memory a constant', () => {
    const p = pod('p', {
      containers: [
        { name: 'app', cpu: '100m' },
        { name: 'proxy', cpu: '0.3' },
      ],
    });
    expect(containerMetrics(p, 101)).toEqual([
      { name: 'app', usage: { cpu: '25250000n', memory: CONTAINER_MEMORY } },
      { name: 'proxy', usage: { cpu: '75750000n', memory: CONTAINER_MEMORY } },
    ]);
  });

  it('gives a container without a request none; evenly when no container has one', () => {
    const some = pod('p', { containers: [{ name: 'a', cpu: '50m' }, { name: 'b' }] });
    expect(containerMetrics(some, 10).map((c) => c.usage.cpu)).toEqual(['10000000n', '0n']);
    const none = pod('p', { containers: [{ name: 'a' }, { name: 'b' }] });
    expect(containerMetrics(none, 10).map((c) => c.usage.cpu)).toEqual(['5000000n', '5000000n']);
  });
});

describe('deploymentOf', () => {
  it('is the controlling ReplicaSet name without -<pod-template-hash>', () => {
    expect(deploymentOf(pod('p', { deployment: 'web-api', hash: '7d9f' }))).toBe('web-api');
  });

  it('is undefined for a pod of no ReplicaSet, or one not named after its hash', () => {
    expect(deploymentOf(pod('p', { deployment: '' }))).toBeUndefined();
    const stray = pod('p');
    const strayMeta = { ...stray.metadata, labels: { app: 'web', 'pod-template-hash': 'other' } };
    expect(deploymentOf({ ...stray, metadata: strayMeta })).toBeUndefined();
    const job = pod('p');
    const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'web-abc12', uid: 'u' };
    const jobMeta = { ...job.metadata, ownerReferences: [{ ...owner, controller: true }] };
    expect(deploymentOf({ ...job, metadata: jobMeta })).toBeUndefined();
  });
});

describe('podMetrics', () => {
  it("shares a Deployment's requests per second evenly by its Ready pods", () => {
    const metrics = podMetrics([pod('web-1'), pod('web-2'), pod('web-3')], inputs());
    // 30 rps over 3 pods: 10 rps each × 2 millicores + the base.
    expect(metrics.map((m) => milli(m.containers[0]?.usage.cpu))).toEqual([21, 21, 21]);
    expect(metrics[0]).toEqual({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        labels: { app: 'web', 'pod-template-hash': 'abc12' },
        creationTimestamp: '2026-12-05T01:02:03Z',
      },
      timestamp: '2026-12-05T01:02:03Z',
      window: '5s',
      containers: [{ name: 'app', usage: { cpu: '21000000n', memory: CONTAINER_MEMORY } }],
    });
  });

  it('gives a pod that is not Ready, or not of a known Deployment, the base alone', () => {
    const metrics = podMetrics(
      [
        pod('web-1'),
        pod('web-2', { ready: false }),
        pod('lone', { deployment: '' }),
        pod('other-1', { deployment: 'other' }),
      ],
      inputs(),
    );
    expect(metrics.map((m) => [m.metadata.name, milli(m.containers[0]?.usage.cpu)])).toEqual([
      ['web-1', 61],
      ['web-2', BASE_CPU_MILLICORES],
      ['lone', BASE_CPU_MILLICORES],
      ['other-1', BASE_CPU_MILLICORES],
    ]);
  });

  it('uses the base alone at 0 millicores per rps, whatever the load', () => {
    const metrics = podMetrics([pod('api-1', { deployment: 'api' })], inputs());
    expect(milli(metrics[0]?.containers[0]?.usage.cpu)).toBe(BASE_CPU_MILLICORES);
  });

  it('reports running pods only: none that are Pending, Succeeded or being deleted', () => {
    const metrics = podMetrics(
      [
        pod('web-1'),
        pod('web-2', { phase: 'Pending' }),
        pod('web-3', { phase: 'Succeeded' }),
        pod('web-4', { deleting: true }),
      ],
      inputs(),
    );
    expect(metrics.map((m) => [m.metadata.name, milli(m.containers[0]?.usage.cpu)])).toEqual([
      ['web-1', 61],
    ]);
  });

  it('writes the window as a Go duration', () => {
    const [m] = podMetrics([pod('web-1')], inputs({ windowMs: 5_200 }));
    expect(m?.window).toBe('5.2s');
  });
});

// The bench's canaries: N Deployments with their Canaries spread over namespaces of
// `perNamespace`, created through the admin client with bounded concurrency.
import type { KubeRawClient } from '../src/kube/raw-client.js';
import { EMULATOR_ANNOTATIONS } from '../dev/local/emulator/annotations.js';
import { BUILTIN, collectionPath, objectPath, type ResourceRef } from '../src/kube/resources.js';
import { CANARY_REF } from '../src/canary/caches.js';
import { LABELS } from '../src/api/constants.js';
import type { BenchRouter } from './options.js';

/** Pod-template annotation whose value marks a revision. */
export const REVISION_ANNOTATION = 'bench.weightlifter.io/revision';

export interface FleetMember {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`, the key the controller and the trackers use. */
  readonly key: string;
  /** Its weightlifter.io/shard label (shardName), or undefined in an unsharded fleet. */
  readonly shard: string | undefined;
}

export interface CanaryShape {
  /** spec.routing.provider. */
  readonly router: BenchRouter;
  readonly intervalSeconds: number;
  readonly windowSeconds: number;
  readonly steps: number;
}

/** How long one weight step lasts: the engine measures a full window at each weight. */
export function stepSeconds(shape: CanaryShape): number {
  return Math.max(shape.intervalSeconds, shape.windowSeconds);
}

/** The shard label value of shard k (0-based), and the controller flag that selects it. */
export const shardName = (k: number): string => `s${k}`;
export const shardSelector = (k: number): string => `${LABELS.shard} in (${shardName(k)})`;

/** Over `shards` > 1, member i is in shard i mod shards, so each shard has every namespace. */
export function fleetMembers(n: number, perNamespace: number, shards = 1): FleetMember[] {
  return Array.from({ length: n }, (_, i) => {
    const namespace = `wlb-${String(Math.floor(i / perNamespace)).padStart(3, '0')}`;
    const name = `app-${String(i % perNamespace).padStart(4, '0')}`;
    const shard = shards > 1 ? shardName(i % shards) : undefined;
    return { namespace, name, key: `${namespace}/${name}`, shard };
  });
}

/** The labels of a member's Deployment and Canary besides its own: its shard's, if any. */
export const shardLabels = (m: FleetMember): Record<string, string> =>
  m.shard === undefined ? {} : { [LABELS.shard]: m.shard };

/** Even weights up to 50 % in `steps` steps, e.g. 5 → 10, 20, 30, 40, 50. */
export function stepWeights(steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => Math.round((50 * (i + 1)) / steps));
}

/** One Canary per member, in the API of the controller measured (weightlifter's, or a peer's). */
export interface CanaryManifests {
  readonly ref: ResourceRef;
  manifest(m: FleetMember, shape: CanaryShape): unknown;
}

function deployment(m: FleetMember): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: m.name, namespace: m.namespace, labels: { app: m.name, ...shardLabels(m) } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: m.name } },
      template: {
        metadata: { labels: { app: m.name }, annotations: { [REVISION_ANNOTATION]: '1' } },
        spec: {
          containers: [
            { name: 'app', image: 'example/app:1', ports: [{ name: 'http', containerPort: 9898 }] },
          ],
        },
      },
    },
  };
}

function canary(m: FleetMember, shape: CanaryShape): unknown {
  return {
    apiVersion: `${CANARY_REF.group}/${CANARY_REF.version}`,
    kind: CANARY_REF.kind,
    metadata: { name: m.name, namespace: m.namespace, labels: shardLabels(m) },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: m.name },
      service: { port: 9898, targetPort: 'http' },
      routing: { provider: shape.router },
      progressDeadlineSeconds: 300,
      analysis: {
        interval: `${shape.intervalSeconds}s`,
        // One failed check rolls back: the reaction scenario measures exactly that path.
        threshold: 1,
        stepWeights: stepWeights(shape.steps),
        metrics: [
          {
            name: 'success-rate',
            interval: `${shape.windowSeconds}s`,
            trafficMetrics: { metric: 'success-rate' },
            thresholdRange: { min: 99 },
          },
          {
            name: 'latency-p99',
            interval: `${shape.windowSeconds}s`,
            trafficMetrics: { metric: 'p99_response_latency' },
            thresholdRange: { max: 500 },
          },
        ],
      },
    },
  };
}

export const WEIGHTLIFTER_MANIFESTS: CanaryManifests = { ref: CANARY_REF, manifest: canary };

/** Runs `fn` over `items` with at most `limit` in flight; the first failure rejects. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function createFleet(
  admin: KubeRawClient,
  members: readonly FleetMember[],
  shape: CanaryShape,
  concurrency: number,
  canaries: CanaryManifests = WEIGHTLIFTER_MANIFESTS,
): Promise<void> {
  const namespaces = [...new Set(members.map((m) => m.namespace))];
  await mapLimit(namespaces, concurrency, (name) =>
    admin.create(collectionPath(BUILTIN.namespaces), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    }),
  );
  await mapLimit(members, concurrency, async (m) => {
    await admin.create(collectionPath(BUILTIN.deployments, m.namespace), deployment(m));
    await admin.create(collectionPath(canaries.ref, m.namespace), canaries.manifest(m, shape));
  });
}

/** A new revision of the member's app: a revision marker, and its error rate (0..1). */
export async function newRevision(
  admin: KubeRawClient,
  m: FleetMember,
  revision: string,
  errorRate = 0,
): Promise<void> {
  const annotations = {
    [REVISION_ANNOTATION]: revision,
    [EMULATOR_ANNOTATIONS.errorRate]: String(errorRate),
  };
  await admin.patch(objectPath(BUILTIN.deployments, m.namespace, m.name), {
    spec: { template: { metadata: { annotations } } },
  });
}

// Golden revision hashes. A target's revision is stored in every Canary's status; if the same
// Deployment and configs hash differently after an upgrade, every canary in every cluster starts a
// run at once (flagger#1673). The hashes below are literal on purpose: a change to the
// normalisation rules in src/workload/revision-hash.ts (defaults, pruning, key order, which
// configs are tracked) fails here, and must come with a migration that accepts the old hashes.
// Never update these strings to make the test pass. Each is sha256 over sorted-key compact JSON
// (`{configs, template}` for the revision, `{data}` for a config), recomputed outside the code
// when recorded.
import { describe, expect, it } from '@jest/globals';
import { targetRevision } from '../../../src/workload/config-tracking.js';
import type { ConfigJson, DeploymentJson } from '../../../src/workload/k8s-types.js';
import { MemoryReader } from '../routing/fixtures.js';

/** The Deployment as written in Git (no server defaults). */
const manifest: DeploymentJson = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'shop' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo' }, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        containers: [
          {
            name: 'podinfo',
            image: 'podinfo:6.5.0',
            ports: [{ name: 'http', containerPort: 9898 }],
            env: [
              {
                name: 'LEVEL',
                valueFrom: { configMapKeyRef: { name: 'podinfo-config', key: 'level' } },
              },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            envFrom: [{ secretRef: { name: 'podinfo-token' } }],
            readinessProbe: { httpGet: { path: '/readyz', port: 9898 } },
            resources: { requests: { cpu: '100m', memory: '64Mi' } },
          },
        ],
        volumes: [{ name: 'config', configMap: { name: 'podinfo-config' } }],
      },
    },
  },
};

/**
 * The same Deployment as the API server returns it: defaults filled in, our own annotation, and
 * fields DeploymentJson does not model (template creationTimestamp: null), hence `unknown`.
 */
const servedObject: unknown = {
  ...manifest,
  metadata: { ...manifest.metadata, resourceVersion: '4711', generation: 3 },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: {
        creationTimestamp: null,
        labels: { app: 'podinfo' },
        annotations: {
          'prometheus.io/scrape': 'true',
          'weightlifter.io/restarted-at': '2026-01-01T00:00:00Z',
        },
      },
      spec: {
        containers: [
          {
            name: 'podinfo',
            image: 'podinfo:6.5.0',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 9898, protocol: 'TCP' }],
            env: [
              {
                name: 'LEVEL',
                valueFrom: { configMapKeyRef: { name: 'podinfo-config', key: 'level' } },
              },
              {
                name: 'POD_IP',
                valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } },
              },
            ],
            envFrom: [{ secretRef: { name: 'podinfo-token' } }],
            readinessProbe: {
              httpGet: { path: '/readyz', port: 9898, scheme: 'HTTP' },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            resources: { requests: { cpu: '100m', memory: '64Mi' } },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        volumes: [{ name: 'config', configMap: { name: 'podinfo-config', defaultMode: 420 } }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
      },
    },
  },
};

const served = servedObject as DeploymentJson;

const configMap: ConfigJson = {
  metadata: { name: 'podinfo-config', namespace: 'shop', resourceVersion: '12' },
  data: { level: 'info', 'motd.txt': 'hello\n' },
};
const secret: ConfigJson = {
  metadata: { name: 'podinfo-token', namespace: 'shop', resourceVersion: '13' },
  type: 'Opaque',
  data: { TOKEN: 'czNjcjN0' },
};

const caches = (configMaps: ConfigJson[], secrets: ConfigJson[]) => ({
  configMaps: new MemoryReader(configMaps),
  secrets: new MemoryReader(secrets),
});

const GOLDEN = {
  revision: '7805ea91493b0ee13e9a6bb565dfe224ba8597a9a65a8678700fa8373a4dec7d',
  configMap: '93b9e5338c6d667aa7dcc702df075af3952a99bedebf4734587497076b745209',
  secret: '001395ed8e9a40e62a72db7b8b2dabfba2cec723fe2f9ecb9265c195af4df130',
};

describe('golden revision hashes (an upgrade must not restart every canary)', () => {
  it.each([
    ['the manifest as written in Git', manifest],
    ['the object the API server returns, defaults filled in', served],
  ])('%s hashes to the recorded revision', (_what, deployment) => {
    const r = targetRevision(deployment, caches([configMap], [secret]));
    expect(r.revision).toBe(GOLDEN.revision);
    expect(r.trackedConfigs).toEqual({
      'configmap/podinfo-config': GOLDEN.configMap,
      'secret/podinfo-token': GOLDEN.secret,
    });
  });

  it('a changed ConfigMap value, or an image tag, is a different revision', () => {
    const changed = { ...configMap, data: { ...configMap.data, level: 'debug' } };
    const r = targetRevision(manifest, caches([changed], [secret]));
    expect(r.trackedConfigs['secret/podinfo-token']).toBe(GOLDEN.secret);
    expect(r.trackedConfigs['configmap/podinfo-config']).not.toBe(GOLDEN.configMap);
    expect(r.revision).not.toBe(GOLDEN.revision);
    const image = structuredClone(manifest);
    const container = image.spec?.template?.spec?.containers?.[0];
    if (container === undefined) throw new Error('fixture has a container');
    container.image = 'podinfo:6.5.1';
    expect(targetRevision(image, caches([configMap], [secret])).revision).not.toBe(GOLDEN.revision);
  });
});

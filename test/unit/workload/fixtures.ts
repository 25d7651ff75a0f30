// Test data for workload unit tests: a target Deployment as the API server returns it.
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';

export function target(
  overrides: Partial<NonNullable<DeploymentJson['spec']>> = {},
): DeploymentJson {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'podinfo',
      namespace: 'shop',
      generation: 3,
      labels: { app: 'podinfo', 'kustomize.toolkit.fluxcd.io/name': 'apps', team: 'a' },
      annotations: {
        'deployment.kubernetes.io/revision': '7',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'argocd.argoproj.io/tracking-id': 'apps:apps/Deployment:shop/podinfo',
        owner: 'team-a',
      },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'podinfo' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      template: {
        metadata: { labels: { app: 'podinfo', tier: 'web' }, annotations: { a: 'b' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'podinfo:6.0.0',
              env: [
                { name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } },
                {
                  name: 'B',
                  valueFrom: { secretKeyRef: { name: 'creds', key: 'b', optional: true } },
                },
                { name: 'C', value: 'plain' },
              ],
              envFrom: [{ configMapRef: { name: 'env-cm' } }],
            },
          ],
          initContainers: [
            { name: 'init', image: 'busybox', envFrom: [{ secretRef: { name: 'init-secret' } }] },
          ],
          volumes: [
            { name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } },
            { name: 'tls', secret: { secretName: 'tls' } },
            {
              name: 'proj',
              projected: {
                sources: [{ configMap: { name: 'proj-cm' } }, { secret: { name: 'proj-secret' } }],
              },
            },
            { name: 'scratch', emptyDir: {} },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { app: 'podinfo' } },
                  },
                },
              ],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'zone', labelSelector: { matchLabels: { app: 'podinfo' } } },
          ],
        },
      },
      ...overrides,
    },
  };
}

// The Secrets a Canary references: the only ones the controller reads. A tenant's Canary names
// Secrets of its own namespace only (a ClusterAnalysisTemplate's credentials excepted, which come
// from the controller's namespace); names that only exist elsewhere are never in the set.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ControllerCaches, TemplateJson } from '../../../src/canary/caches.js';
import { secretKeysOf } from '../../../src/canary/secret-refs.js';
import type { DeploymentJson } from '../../../src/workload/k8s-types.js';
import { canaryJson, deploymentJson, memoryCaches, stopCaches } from './canary-fixtures.js';

const CONTROLLER_NS = 'weightlifter-system';

let caches: ControllerCaches | undefined;
afterEach(async () => {
  if (caches !== undefined) await stopCaches(caches);
  caches = undefined;
});

function usingSecrets(d: DeploymentJson, names: readonly string[]): DeploymentJson {
  const spec = d.spec?.template?.spec;
  if (spec === undefined) throw new Error('no pod spec');
  spec.volumes = names.map((n) => ({ name: n, secret: { secretName: n } }));
  return d;
}

const template = (ns: string | undefined, name: string, secret: string): TemplateJson => ({
  metadata: { ...(ns === undefined ? {} : { namespace: ns }), name },
  spec: {
    provider: { type: 'prometheus', secretRef: { name: secret } },
    query: 'vector(1)',
  },
});

describe('secretKeysOf', () => {
  it("the target's Secrets, their -primary copies, the primary's, and template credentials", async () => {
    caches = await memoryCaches({
      deployments: [
        usingSecrets(deploymentJson('team-a', 'web'), ['db', 'tls']),
        usingSecrets(deploymentJson('team-a', 'web-primary'), ['db-primary', 'old-primary']),
        // Same names in another namespace: irrelevant to team-a's Canary.
        usingSecrets(deploymentJson('team-b', 'web'), ['team-b-only']),
      ],
      templates: [template('team-a', 'latency', 'prom-a'), template('team-b', 'latency', 'prom-b')],
      clusterTemplates: [template(undefined, 'shared', 'prom-cluster')],
    });
    const canary = canaryJson('team-a', 'web', {
      analysis: {
        stepWeight: 20,
        metrics: [
          { name: 'l', templateRef: { name: 'latency' }, thresholdRange: { max: 1 } },
          {
            name: 's',
            templateRef: { name: 'shared', kind: 'ClusterAnalysisTemplate' },
            thresholdRange: { min: 1 },
          },
          { name: 'gone', templateRef: { name: 'missing' }, thresholdRange: { min: 1 } },
        ],
      },
    });
    expect([...secretKeysOf(canary, caches, CONTROLLER_NS)].sort()).toEqual([
      'team-a/db',
      'team-a/db-primary',
      'team-a/old-primary',
      'team-a/prom-a',
      'team-a/tls',
      'team-a/tls-primary',
      `${CONTROLLER_NS}/prom-cluster`,
    ]);
  });

  it('a Canary whose target and templates use no Secret references none', async () => {
    caches = await memoryCaches({ deployments: [deploymentJson('team-a', 'web')] });
    expect(secretKeysOf(canaryJson('team-a', 'web'), caches, CONTROLLER_NS).size).toBe(0);
  });

  it("a template named like another namespace's is looked up in the Canary's namespace only", async () => {
    caches = await memoryCaches({ templates: [template('team-b', 'latency', 'prom-b')] });
    const canary = canaryJson('team-a', 'web', {
      analysis: {
        stepWeight: 20,
        metrics: [{ name: 'l', templateRef: { name: 'latency' }, thresholdRange: { max: 1 } }],
      },
    });
    expect([...secretKeysOf(canary, caches, CONTROLLER_NS)]).toEqual([]);
  });
});

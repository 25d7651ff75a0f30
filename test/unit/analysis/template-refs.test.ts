// Tenancy of analysis templates: a Canary reaches templates and credentials of its own namespace
// only; a ClusterAnalysisTemplate's credentials come from the controller's namespace only. Each
// case is an attempt to break that with a same-named object somewhere else.
import { describe, expect, it } from '@jest/globals';
import type { Metric } from '../../../src/api/canary.js';
import {
  findTemplate,
  resolveTemplate,
  type SecretData,
  type TemplateJson,
  type TemplateReaders,
} from '../../../src/analysis/template-refs.js';
import { keyOf, makeKey, type KubeObject } from '../../../src/kube/object-key.js';
import type { ObjectReader } from '../../../src/kube/object-reader.js';

const CONTROLLER_NS = 'weightlifter-system';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** An in-memory ObjectReader (our own interface) over fixed objects. */
function reader<T extends KubeObject>(items: readonly T[]): ObjectReader<T> {
  const byKey = new Map(items.map((o) => [keyOf(o), o]));
  return {
    getByName: (ns, name) => byKey.get(makeKey(ns, name)),
    list: (ns) => items.filter((o) => ns === undefined || o.metadata?.namespace === ns),
  };
}

const template = (ns: string | undefined, name: string, secret?: string): TemplateJson => ({
  metadata: { ...(ns === undefined ? {} : { namespace: ns }), name },
  spec: {
    provider: {
      type: 'prometheus',
      address: 'http://prom:9090',
      ...(secret === undefined ? {} : { secretRef: { name: secret } }),
    },
    query: 'vector(1)',
  },
});

const token = (ns: string, name: string, value: string): SecretData => ({
  metadata: { namespace: ns, name },
  data: { token: b64(value) },
});

const readers: TemplateReaders = {
  templates: reader([
    template('team-a', 'own', 'creds'),
    template('team-b', 'theirs', 'creds'),
    template('team-a', 'wants-cluster-creds', 'cluster-creds'),
  ]),
  clusterTemplates: reader([template(undefined, 'shared', 'cluster-creds')]),
  secrets: reader([
    token('team-a', 'creds', 'team-a-token'),
    token('team-b', 'creds', 'team-b-token'),
    token(CONTROLLER_NS, 'cluster-creds', 'controller-token'),
    // A tenant's Secret named like the cluster template's credentials.
    token('team-a', 'cluster-creds', 'planted-by-team-a'),
  ]),
};

const metric = (name: string, kind?: 'AnalysisTemplate' | 'ClusterAnalysisTemplate'): Metric => ({
  name: 'm',
  templateRef: { name, ...(kind === undefined ? {} : { kind }) },
  thresholdRange: { min: 0 },
});

const authOf = (ns: string, m: Metric) => resolveTemplate(readers, ns, CONTROLLER_NS, m)?.auth;

describe('template tenancy', () => {
  it('an AnalysisTemplate is read from the Canary namespace only', () => {
    expect(resolveTemplate(readers, 'team-a', CONTROLLER_NS, metric('own'))?.namespace).toBe(
      'team-a',
    );
    // team-b's template exists, but not in team-a: not found (pre-flight: TemplateNotFound).
    expect(resolveTemplate(readers, 'team-a', CONTROLLER_NS, metric('theirs'))).toBeUndefined();
  });

  it("an AnalysisTemplate's credentials come from the Canary namespace, never another", () => {
    expect(authOf('team-a', metric('own'))).toEqual({ bearerToken: 'team-a-token' });
    expect(authOf('team-b', metric('theirs'))).toEqual({ bearerToken: 'team-b-token' });
  });

  it("a namespaced template cannot name the controller's credentials", () => {
    // cluster-creds exists in the controller's namespace; the template gets team-a's own one.
    expect(authOf('team-a', metric('wants-cluster-creds'))).toEqual({
      bearerToken: 'planted-by-team-a',
    });
    const found = findTemplate(readers, 'team-c', CONTROLLER_NS, { name: 'own' });
    expect(found).toBeUndefined();
  });

  it("a ClusterAnalysisTemplate's credentials come from the controller namespace only", () => {
    for (const ns of ['team-a', 'team-b']) {
      // team-a planted a Secret of the same name in its namespace: not used.
      expect(authOf(ns, metric('shared', 'ClusterAnalysisTemplate'))).toEqual({
        bearerToken: 'controller-token',
      });
      expect(
        findTemplate(readers, ns, CONTROLLER_NS, {
          name: 'shared',
          kind: 'ClusterAnalysisTemplate',
        })?.credentials,
      ).toEqual({ namespace: CONTROLLER_NS, name: 'cluster-creds' });
    }
  });
});

// Static checks of the CRD files that do not need an API server: names match src/api/constants,
// every field is documented (kubectl explain), printer columns and CEL fieldPaths point at real
// fields, and every string/list a CEL rule reads is bounded (so the apiserver's cost estimate stays
// within limits on every future edit). The rules themselves are exercised against a real
// kube-apiserver in test/integration/crd-validation.test.ts.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  CATEGORY,
  GROUP,
  KINDS,
  PHASES,
  PLURALS,
  SHORT_NAMES,
  VERSION,
} from '../../../src/api/constants.js';
import {
  flattenSchema,
  loadCrd,
  repoPath,
  rootSchema,
  walkSchema,
  type Schema,
} from './crd-schema.js';

const crds = {
  canary: loadCrd('canary.yaml'),
  analysisTemplate: loadCrd('analysistemplate.yaml'),
  clusterAnalysisTemplate: loadCrd('clusteranalysistemplate.yaml'),
} as const;
const keys = Object.keys(crds) as (keyof typeof crds)[];

/**
 * Path notation of flattenSchema for a printer column's or fieldPath's dotted path. A JSONPath
 * filter (`conditions[?(@.type=="Ready")]`) selects among a list's items.
 */
const schemaHas = (root: Schema, dotted: string): boolean => {
  let node: Schema | undefined = root;
  const path = dotted.replace(/^\./, '').replace(/\[\?\([^)]*\)\]/g, '[]');
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    node = node?.properties?.[list ? part.slice(0, -2) : part];
    if (list) node = node?.items;
  }
  return node !== undefined;
};

describe('CRD names', () => {
  it.each(keys)('%s uses the group, version, kind, plural and short names of src/api', (key) => {
    const crd = crds[key];
    expect(crd.metadata.name).toBe(`${PLURALS[key]}.${GROUP}`);
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.names.kind).toBe(KINDS[key]);
    expect(crd.spec.names.listKind).toBe(`${KINDS[key]}List`);
    expect(crd.spec.names.plural).toBe(PLURALS[key]);
    expect(crd.spec.names.singular).toBe(KINDS[key].toLowerCase());
    expect(crd.spec.names.shortNames).toEqual(SHORT_NAMES[key]);
    expect(crd.spec.names.categories).toContain(CATEGORY);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      [VERSION, true, true],
    ]);
  });

  it('Canary is namespaced, in category all, with a status subresource', () => {
    expect(crds.canary.spec.scope).toBe('Namespaced');
    expect(crds.canary.spec.names.categories).toContain('all');
    expect(crds.canary.spec.versions[0]?.subresources).toEqual({ status: {} });
  });

  it('AnalysisTemplate is namespaced and ClusterAnalysisTemplate cluster-scoped', () => {
    expect(crds.analysisTemplate.spec.scope).toBe('Namespaced');
    expect(crds.clusterAnalysisTemplate.spec.scope).toBe('Cluster');
  });

  it('short names do not collide with Flagger (none) or Argo Rollouts (ro, at, cat, ar, exp)', () => {
    const ours = Object.values(SHORT_NAMES).flat();
    expect(new Set(ours).size).toBe(ours.length);
    for (const taken of ['canary', 'canaries', 'ro', 'at', 'cat', 'ar', 'exp', 'ts']) {
      expect(ours).not.toContain(taken);
    }
  });
});

describe('CRD schemas', () => {
  it.each(keys)('%s documents every field (kubectl explain)', (key) => {
    const undocumented = [...walkSchema(rootSchema(crds[key]), '')]
      .filter(([path, node]) => path !== 'metadata' && !node.description?.trim())
      .map(([path]) => path || '<root>');
    expect(undocumented).toEqual([]);
  });

  it.each(keys)(
    '%s states each scalar default in the description (kubectl explain omits it)',
    (key) => {
      const silent = [...walkSchema(rootSchema(crds[key]), '')]
        .filter(([, n]) => n.default !== undefined && typeof n.default !== 'object')
        .filter(([, n]) => !n.description?.includes(`Default: ${String(n.default)}.`))
        .map(([path]) => path);
      expect(silent).toEqual([]);
    },
  );

  it.each(keys)('%s bounds every string and list a CEL rule reads', (key) => {
    const unbounded: string[] = [];
    for (const [path, node] of walkSchema(rootSchema(crds[key]), '')) {
      if (!node['x-kubernetes-validations']) continue;
      // A rule on an object reads its children; check the ones its rules mention.
      const rules = node['x-kubernetes-validations'].map((v) => v.rule).join(' ');
      const read: [string, Schema][] = [[path, node]];
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (rules.includes(`self.${name}`)) read.push([`${path}.${name}`, child]);
      }
      for (const [p, n] of read) {
        if (n.type === 'string' && n.maxLength === undefined && !n.enum)
          unbounded.push(`${p} (maxLength)`);
        if (n.type === 'array' && n.maxItems === undefined) unbounded.push(`${p} (maxItems)`);
      }
    }
    expect(unbounded).toEqual([]);
  });

  it.each(keys)('%s: every CEL rule has a message; fieldPaths name real fields', (key) => {
    const problems: string[] = [];
    for (const [path, node] of walkSchema(rootSchema(crds[key]), '')) {
      for (const v of node['x-kubernetes-validations'] ?? []) {
        if (!v.message?.trim()) problems.push(`${path}: rule without message: ${v.rule}`);
        if (v.fieldPath && !schemaHas(node, v.fieldPath))
          problems.push(`${path}: bad fieldPath ${v.fieldPath}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the two template CRDs have the same spec fields', () => {
    const fields = (key: 'analysisTemplate' | 'clusterAnalysisTemplate') =>
      Object.fromEntries(flattenSchema(rootSchema(crds[key]), ['spec']));
    expect(fields('clusterAnalysisTemplate')).toEqual(fields('analysisTemplate'));
  });

  it('status.phase lists exactly the phases of src/api/constants', () => {
    const phase = rootSchema(crds.canary).properties?.status?.properties?.phase;
    expect(phase?.enum).toEqual([...PHASES]);
  });
});

describe('printer columns', () => {
  it.each(keys)('%s columns point at fields of its schema', (key) => {
    const root = rootSchema(crds[key]);
    const columns = crds[key].spec.versions[0]?.additionalPrinterColumns ?? [];
    const missing = columns
      .filter((c) => !c.jsonPath.startsWith('.metadata.') && !schemaHas(root, c.jsonPath))
      .map((c) => `${c.name}: ${c.jsonPath}`);
    expect(missing).toEqual([]);
  });

  it('Canary shows Status, Weight, Ready, Reason, Paused, Suspended, FailedChecks, LastTransition, Message, and wide Interval/steps/MaxWeight', () => {
    const columns = crds.canary.spec.versions[0]?.additionalPrinterColumns ?? [];
    const byName = (priority: number) =>
      columns.filter((c) => (c.priority ?? 0) === priority).map((c) => c.name);
    expect(byName(0)).toEqual([
      'Status',
      'Weight',
      'Ready',
      'Reason',
      'Paused',
      'Suspended',
      'FailedChecks',
      'LastTransition',
      'Age',
      'Message',
    ]);
    expect(byName(1)).toEqual(['Interval', 'StepWeight', 'StepWeights', 'MaxWeight']);
  });
});

describe('examples/', () => {
  const dir = repoPath('examples');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(`${dir}/${f}`, 'utf8')).map(
        (d) => [f, d.toJS() as Example] as const,
      ),
    );

  it('holds a Canary per strategy and an AnalysisTemplate', () => {
    const analyses = docs
      .filter(([, d]) => d.kind === 'Canary')
      .map(([, d]) => d.spec.analysis ?? {});
    expect(analyses.some((a) => 'stepWeight' in a)).toBe(true);
    expect(analyses.some((a) => 'stepWeights' in a)).toBe(true);
    expect(analyses.some((a) => 'iterations' in a)).toBe(true);
    expect(docs.some(([, d]) => d.kind === 'AnalysisTemplate')).toBe(true);
  });

  it('uses only fields the CRDs define', () => {
    const unknown: string[] = [];
    for (const [file, doc] of docs) {
      expect(doc.apiVersion).toBe(`${GROUP}/${VERSION}`);
      const crd = doc.kind === 'Canary' ? crds.canary : crds.analysisTemplate;
      const known = flattenSchema(rootSchema(crd), ['spec']);
      for (const path of fieldPaths(doc.spec, 'spec')) {
        if (!known.has(path)) unknown.push(`${file}: ${path}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

interface Example {
  apiVersion: string;
  kind: string;
  spec: { analysis?: Record<string, unknown> } & Record<string, unknown>;
}

/** Paths of an object in flattenSchema notation, stopping at maps the schema declares. */
function fieldPaths(value: unknown, path: string): string[] {
  const mapFields = ['templateVariables', 'metadata', 'variables', 'trackedConfigs', 'headers'];
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown) => (isObject(item) ? childPaths(item, `${path}[]`) : []));
  }
  if (!isObject(value) || mapFields.some((m) => path.endsWith(`.${m}`))) return [path];
  return [path, ...childPaths(value, path)];
}

const childPaths = (obj: Record<string, unknown>, path: string): string[] =>
  Object.entries(obj).flatMap(([k, v]) => fieldPaths(v, `${path}.${k}`));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

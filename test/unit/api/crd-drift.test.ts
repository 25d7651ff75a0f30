// Fails when crds/ and the TypeScript types in src/api/ drift apart. The manifests in
// src/api/*-fields.ts are checked against the interfaces at compile time; this test checks them
// against the CRD schemas: the same field paths in both directions, and for each field the same
// required-ness, schema type, enum values and default.
import { describe, expect, it } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import { ANALYSIS_TEMPLATE_FIELDS } from '../../../src/api/analysis-template-fields.js';
import { CANARY_FIELDS } from '../../../src/api/canary-fields.js';
import type { FieldSpec } from '../../../src/api/field-manifest.js';
import { flattenSchema, loadCrd, rootSchema } from './crd-schema.js';

/** Human-readable differences between a CRD schema and a manifest; empty when in step. */
export function driftBetween(
  crdFields: ReadonlyMap<string, FieldSpec>,
  manifest: Readonly<Record<string, FieldSpec>>,
): string[] {
  const problems: string[] = [];
  for (const path of crdFields.keys()) {
    if (!(path in manifest)) problems.push(`${path}: in the CRD but not in the TypeScript types`);
  }
  for (const [path, expected] of Object.entries(manifest)) {
    const actual = crdFields.get(path);
    if (!actual) {
      problems.push(`${path}: in the TypeScript types but not in the CRD`);
      continue;
    }
    if (actual.required !== expected.required) {
      problems.push(
        `${path}: required is ${actual.required} in the CRD, ${expected.required} in TS`,
      );
    }
    if (actual.type !== expected.type) {
      problems.push(`${path}: type is ${actual.type} in the CRD, ${expected.type} in TS`);
    }
    const crdEnum = [...(actual.enum ?? [])].sort();
    const tsEnum = [...(expected.enum ?? [])].sort();
    if (!isDeepStrictEqual(crdEnum, tsEnum)) {
      problems.push(
        `${path}: enum is [${crdEnum.join(', ')}] in the CRD, [${tsEnum.join(', ')}] in TS`,
      );
    }
    if (!isDeepStrictEqual(actual.default, expected.default)) {
      problems.push(
        `${path}: default is ${JSON.stringify(actual.default)} in the CRD, ${JSON.stringify(expected.default)} in TS`,
      );
    }
  }
  return problems;
}

const cases = [
  { file: 'canary.yaml', tops: ['spec', 'status'], manifest: CANARY_FIELDS },
  { file: 'analysistemplate.yaml', tops: ['spec'], manifest: ANALYSIS_TEMPLATE_FIELDS },
  { file: 'clusteranalysistemplate.yaml', tops: ['spec'], manifest: ANALYSIS_TEMPLATE_FIELDS },
] as const;

describe('CRD schemas and src/api types are in step', () => {
  it.each(cases)('$file matches its TypeScript manifest', ({ file, tops, manifest }) => {
    const fields = flattenSchema(rootSchema(loadCrd(file)), tops);
    expect(driftBetween(fields, manifest)).toEqual([]);
  });

  it('the Canary CRD has no top-level fields beyond apiVersion, kind, metadata, spec, status', () => {
    const props = Object.keys(rootSchema(loadCrd('canary.yaml')).properties ?? {}).sort();
    expect(props).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });
});

// The comparison itself must catch each kind of drift, or the test above could never fail.
describe('driftBetween', () => {
  const crd = flattenSchema(rootSchema(loadCrd('canary.yaml')), ['spec', 'status']);
  const manifest: Record<string, FieldSpec> = { ...CANARY_FIELDS };

  it('reports a field only in the CRD', () => {
    const withExtra = new Map(crd).set('spec.analysis.mirror', {
      required: false,
      type: 'boolean',
    });
    expect(driftBetween(withExtra, manifest)).toEqual([
      'spec.analysis.mirror: in the CRD but not in the TypeScript types',
    ]);
  });

  it('reports a field only in the types', () => {
    const withExtra = {
      ...manifest,
      'spec.analysis.mirror': { required: false, type: 'boolean' } as const,
    };
    expect(driftBetween(crd, withExtra)).toEqual([
      'spec.analysis.mirror: in the TypeScript types but not in the CRD',
    ]);
  });

  it('reports required-ness, type, enum and default mismatches', () => {
    const changed = new Map(crd);
    changed.set('spec.service.port', { required: false, type: 'number' });
    changed.set('spec.analysis.noData', {
      required: false,
      type: 'string',
      enum: ['fail', 'pass'],
      default: 'pass',
    });
    expect(driftBetween(changed, manifest)).toEqual([
      'spec.service.port: required is false in the CRD, true in TS',
      'spec.service.port: type is number in the CRD, integer in TS',
      'spec.analysis.noData: enum is [fail, pass] in the CRD, [fail, inconclusive, pass] in TS',
      'spec.analysis.noData: default is "pass" in the CRD, "inconclusive" in TS',
    ]);
  });
});

// The CRDs in crds/ against the real kube-apiserver: valid objects are stored with the defaults
// src/api/defaults.ts promises, invalid ones are rejected with a message naming the field and the
// rule (OpenAPI validation and CEL x-kubernetes-validations both run only in the real server).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { AnalysisTemplate } from '../../src/api/analysis-template.js';
import type { Canary, CanarySpec } from '../../src/api/canary.js';
import { API_VERSION, KINDS } from '../../src/api/constants.js';
import { withStoredDefaults } from '../../src/api/defaults.js';
import {
  ANALYSIS_TEMPLATE_REF,
  CANARY_REF,
  CLUSTER_ANALYSIS_TEMPLATE_REF,
} from '../../src/api/resources.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { collectionPath, objectPath } from '../../src/kube/resources.js';
import { invalidCanaries, invalidTemplates, type InvalidCase } from './crd-validation-cases.js';
import { kubectl, rawClient } from './helpers/env.js';
import { SHAPE_MESSAGE } from '../../src/progression/cron-grammar.js';
import { compileSchedule } from '../../src/progression/windows.js';
import { cronCases } from '../unit/progression/cron-cases.js';

// Unique per run, so a re-run against a long-lived cluster never meets leftovers.
const RUN = Date.now().toString(36);
const NS = `crd-validation-${RUN}`;
const CLUSTER_TEMPLATE = `crd-validation-${RUN}`;
let raw: KubeRawClient;

const example = (file: string): unknown =>
  parse(readFileSync(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)), 'utf8'));

const canaries = collectionPath(CANARY_REF, NS);
const canary = (name: string, sub?: string): string => objectPath(CANARY_REF, NS, name, sub);

const createCanary = (name: string, spec: unknown, fieldValidation?: string): Promise<unknown> =>
  raw.create(
    canaries,
    { apiVersion: API_VERSION, kind: KINDS.canary, metadata: { name }, spec },
    fieldValidation ? { fieldValidation } : undefined,
  );

const getCanary = (name: string): Promise<Canary> => raw.get<Canary>(canary(name));

interface Outcome {
  code: number;
  message: string;
}

/** The API server's answer to a request expected to fail; code 201 means it was accepted. */
async function outcome(request: Promise<unknown>): Promise<Outcome> {
  try {
    await request;
    return { code: 201, message: 'accepted' };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    const message = err.body?.message;
    return {
      code: err.status,
      message: typeof message === 'string' ? message : JSON.stringify(err.body),
    };
  }
}

/** kubectl that fails the test, with its stderr, on a non-zero exit. */
async function mustKubectl(...args: string[]): Promise<void> {
  const result = await kubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
}

beforeAll(async () => {
  raw = rawClient();
  await mustKubectl('create', 'namespace', NS);
});

afterAll(async () => {
  await mustKubectl('delete', 'namespace', NS, '--wait=false');
  await mustKubectl('delete', 'clusteranalysistemplate', CLUSTER_TEMPLATE, '--ignore-not-found');
});

describe('valid Canaries are stored with defaults filled in', () => {
  it.each([
    ['stepWeight/maxWeight', 'canary-step-weight.yaml'],
    ['stepWeights', 'canary-step-weights.yaml'],
    ['iterations (blue/green)', 'canary-blue-green.yaml'],
    ['match (A/B)', 'canary-ab.yaml'],
  ])('%s (examples/%s)', async (_strategy, file) => {
    const manifest = example(file) as Canary;
    await createCanary(manifest.metadata.name ?? '', manifest.spec);
    const stored = await getCanary(manifest.metadata.name ?? '');
    // The defaults the API server filled are exactly the ones src/api/defaults.ts promises.
    expect(stored.spec).toEqual(withStoredDefaults(manifest.spec));
  });

  it('fills each documented default into a minimal Canary', async () => {
    const minimal: CanarySpec = {
      targetRef: { name: 'minimal' },
      service: { port: 80 },
      analysis: {
        stepWeight: 20,
        metrics: [{ name: 'tpl', templateRef: { name: 't' }, thresholdRange: { min: 1 } }],
        webhooks: [{ name: 'load', url: 'http://loadtester.test/' }],
      },
      schedule: { deny: ['* * 24-26 12 *'] },
    };
    await createCanary('minimal', minimal);
    const { spec } = await getCanary('minimal');
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'minimal' });
    expect(spec.service).toEqual({ port: 80, portName: 'http' });
    expect(spec.routing).toEqual({ smiVersion: 'auto' });
    expect(spec.analysis).toMatchObject({
      interval: '1m',
      threshold: 5,
      stepWeightPromotion: 0,
      noData: 'inconclusive',
      minRequests: 0,
    });
    expect(spec.analysis?.maxWeight).toBeUndefined(); // derived (100), never stored
    expect(spec.analysis?.metrics?.[0]?.templateRef).toEqual({
      name: 't',
      kind: 'AnalysisTemplate',
    });
    expect(spec.analysis?.webhooks?.[0]).toMatchObject({
      type: 'rollout',
      timeout: '10s',
      retries: 0,
    });
    expect(spec.schedule?.timeZone).toBe('UTC');
    expect(spec).toMatchObject({
      progressDeadlineSeconds: 600,
      skipAnalysis: false,
      suspend: false,
      revertOnDeletion: true,
    });
  });

  it('stores a compare check with its defaults (confidence 0.98, tolerance 0.1, minSamples 10)', async () => {
    await createCanary('compare', {
      targetRef: { name: 'compare' },
      service: { port: 80 },
      analysis: {
        stepWeight: 20,
        metrics: [
          { name: 'latency', prometheus: { query: 'x' }, compare: { direction: 'increase' } },
          {
            name: 'success',
            trafficMetrics: { metric: 'success-rate' },
            compare: { direction: 'decrease' },
          },
        ],
      },
    });
    const metric = (await getCanary('compare')).spec.analysis?.metrics?.[0];
    expect(metric?.compare).toEqual({
      direction: 'increase',
      confidence: 0.98,
      tolerance: 0.1,
      minSamples: 10,
    });
    expect(metric?.thresholdRange).toBeUndefined();
  });

  it('accepts a baseline with a progressive canary of weights up to 50; stores false by default', async () => {
    await createCanary('based', {
      targetRef: { name: 'based' },
      service: { port: 80 },
      analysis: { stepWeights: [10, 50], baseline: true },
    });
    expect((await getCanary('based')).spec.analysis?.baseline).toBe(true);
    await createCanary('based-step', {
      targetRef: { name: 'based-step' },
      service: { port: 80 },
      analysis: { stepWeight: 10, maxWeight: 50, baseline: true },
    });
    expect((await getCanary('based-step')).spec.analysis?.baseline).toBe(true);
    await createCanary('unbased', {
      targetRef: { name: 'unbased' },
      service: { port: 80 },
      analysis: { stepWeight: 10 },
    });
    expect((await getCanary('unbased')).spec.analysis?.baseline).toBe(false);
  });

  it('accepts a Canary without analysis when skipAnalysis is true', async () => {
    await createCanary('hotfix', {
      targetRef: { name: 'hotfix' },
      service: { port: 80 },
      skipAnalysis: true,
    });
    expect((await getCanary('hotfix')).spec.skipAnalysis).toBe(true);
  });

  it('stores Gateway API parentRefs with their defaults, under provider gatewayapi or auto', async () => {
    const parents = [
      { name: 'edge', sectionName: 'https' },
      { group: '', kind: 'Service', name: 'web', port: 80 },
    ];
    for (const provider of ['gatewayapi', 'auto'] as const) {
      await createCanary(`north-${provider}`, {
        targetRef: { name: 'web' },
        service: { port: 80 },
        skipAnalysis: true,
        routing: { provider, parentRefs: parents },
      });
      expect((await getCanary(`north-${provider}`)).spec.routing).toEqual({
        provider,
        smiVersion: 'auto',
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'edge',
            sectionName: 'https',
          },
          { group: '', kind: 'Service', name: 'web', port: 80 },
        ],
      });
    }
  });
});

describe('invalid Canaries are rejected with the field and the rule', () => {
  it.each(invalidCanaries.map((c, i) => [c.name, i, c] as const))(
    '%s',
    async (_name, i, c: InvalidCase) => {
      const result = await outcome(createCanary(`invalid-${i}`, c.spec, c.fieldValidation));
      expect(result.code).toBe(c.code ?? 422);
      expect(result.message).toContain(c.path);
      expect(result.message).toContain(c.rule);
    },
  );

  it('covers at least 15 distinct fields', () => {
    expect(new Set(invalidCanaries.map((c) => c.path)).size).toBeGreaterThanOrEqual(15);
  });
});

describe('schedule expressions: the API server and the controller agree', () => {
  // The same table as test/unit/progression/cron-grammar.test.ts, through the CRD's CEL rules.
  it.each(cronCases.map((c, i) => [c.expression, c.field, i] as const))(
    '"%s" is refused for: %s',
    async (expression, field, i) => {
      const result = await outcome(
        createCanary(`cron-${i}`, {
          targetRef: { name: `cron-${i}` },
          service: { port: 80 },
          skipAnalysis: true,
          schedule: { deny: ['0 0 * * *', expression] },
        }),
      );
      const controller = compileSchedule({ deny: ['0 0 * * *', expression] });
      if (field === null) {
        expect(result).toEqual({ code: 201, message: 'accepted' });
        expect(controller.ok).toBe(true);
        return;
      }
      const message = field === 'shape' ? SHAPE_MESSAGE : `${field} field must be`;
      expect(result.code).toBe(422);
      expect(result.message).toContain(
        `spec.schedule.deny[1]: Invalid value: ${JSON.stringify(expression)}: ${message}`,
      );
      expect(controller.ok ? '' : controller.error.message).toContain(message);
    },
  );
});

describe('updates', () => {
  it('keeps targetRef immutable but lets other fields change', async () => {
    await createCanary('immutable', {
      targetRef: { name: 'immutable' },
      service: { port: 80 },
      skipAnalysis: true,
    });
    const current = await getCanary('immutable');
    const retarget = {
      ...current,
      spec: { ...current.spec, targetRef: { ...current.spec.targetRef, name: 'other' } },
    };
    const rejected = await outcome(raw.replace(canary('immutable'), retarget));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('spec.targetRef');
    expect(rejected.message).toContain('spec.targetRef is immutable');
    const suspended = { ...current, spec: { ...current.spec, suspend: true } };
    await raw.replace(canary('immutable'), suspended);
    expect((await getCanary('immutable')).spec.suspend).toBe(true);
  });

  it('takes status only through the status subresource, and validates it', async () => {
    await createCanary('status', {
      targetRef: { name: 'status' },
      service: { port: 80 },
      skipAnalysis: true,
    });
    const current = await getCanary('status');
    const status = {
      phase: 'Progressing',
      canaryWeight: 10,
      failedChecks: 1,
      phaseSince: '2026-11-24T12:00:00Z',
    } as const;

    await raw.replace(canary('status'), { ...current, status });
    expect((await getCanary('status')).status).toBeUndefined();

    const fresh = await getCanary('status');
    await raw.replace(canary('status', 'status'), { ...fresh, status });
    expect((await getCanary('status')).status).toEqual(status);

    const latest = await getCanary('status');
    const bad = { ...latest, status: { ...status, phase: 'Exploded', canaryWeight: 120 } };
    const rejected = await outcome(raw.replace(canary('status', 'status'), bad));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain('status.phase: Unsupported value: "Exploded"');
    expect(rejected.message).toContain('status.canaryWeight: Invalid value: 120');
  });
});

describe('analysis templates', () => {
  const templates = collectionPath(ANALYSIS_TEMPLATE_REF, NS);

  it('stores the example AnalysisTemplate as written', async () => {
    const manifest = example('analysis-template.yaml') as AnalysisTemplate;
    await raw.create(templates, manifest);
    const stored = await raw.get<AnalysisTemplate>(
      objectPath(ANALYSIS_TEMPLATE_REF, NS, manifest.metadata.name ?? ''),
    );
    expect(stored.spec).toEqual(manifest.spec);
  });

  it('defaults the provider to prometheus on a ClusterAnalysisTemplate', async () => {
    const body = {
      apiVersion: API_VERSION,
      kind: KINDS.clusterAnalysisTemplate,
      metadata: { name: CLUSTER_TEMPLATE },
      spec: { query: 'vector(100)', variables: { direction: 'inbound' } },
    };
    await raw.create(collectionPath(CLUSTER_ANALYSIS_TEMPLATE_REF), body);
    const stored = await raw.get<AnalysisTemplate>(
      objectPath(CLUSTER_ANALYSIS_TEMPLATE_REF, undefined, CLUSTER_TEMPLATE),
    );
    expect(stored.spec).toEqual({ ...body.spec, provider: { type: 'prometheus' } });
  });

  it.each(invalidTemplates.map((c, i) => [c.name, i, c] as const))(
    'rejects an AnalysisTemplate with %s',
    async (_name, i, c: InvalidCase) => {
      const body = {
        apiVersion: API_VERSION,
        kind: KINDS.analysisTemplate,
        metadata: { name: `invalid-${i}` },
        spec: c.spec,
      };
      const query =
        c.fieldValidation === undefined ? undefined : { fieldValidation: c.fieldValidation };
      const result = await outcome(raw.create(templates, body, query));
      expect(result.code).toBe(c.code ?? 422);
      expect(result.message).toContain(c.path);
      expect(result.message).toContain(c.rule);
    },
  );

  it('rejects a ClusterAnalysisTemplate with a non-http address', async () => {
    const body = {
      apiVersion: API_VERSION,
      kind: KINDS.clusterAnalysisTemplate,
      metadata: { name: `crd-validation-invalid-${RUN}` },
      spec: { query: 'vector(1)', provider: { address: 'file:///etc/passwd' } },
    };
    const result = await outcome(raw.create(collectionPath(CLUSTER_ANALYSIS_TEMPLATE_REF), body));
    expect(result.code).toBe(422);
    expect(result.message).toContain('spec.provider.address');
    expect(result.message).toContain('must be an absolute http:// or https:// URL');
  });
});

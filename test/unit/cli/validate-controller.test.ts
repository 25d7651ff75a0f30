// The controller's own checks in `validate`, with lookups faked through their interface (the
// integration test runs them against the real API server).
import { describe, expect, it } from '@jest/globals';
import type { AnalysisTemplateSpec } from '../../../src/api/analysis-template.js';
import type { Canary } from '../../../src/api/canary.js';
import {
  canaryProblems,
  templateProblems,
  type ControllerLookups,
} from '../../../src/cli/commands/validate-controller.js';
import { createUrlPolicy } from '../../../src/outbound/url-policy.js';

/** The local world listens on loopback, blocked unless unblocked (as its controller does). */
const LOOPBACK = createUrlPolicy({ unblockedCidrs: ['127.0.0.0/8'] });

const doc = { index: 1, kind: 'Canary', namespace: 'test', name: 'podinfo' };

function lookups(
  opts: {
    deployments?: string[];
    templates?: Record<string, AnalysisTemplateSpec>;
    cidrs?: string[];
  } = {},
): ControllerLookups {
  return {
    policy:
      opts.cidrs === undefined
        ? LOOPBACK
        : createUrlPolicy({ allowedCidrs: opts.cidrs, unblockedCidrs: ['127.0.0.0/8'] }),
    deploymentExists: (ns, name) =>
      Promise.resolve((opts.deployments ?? ['test/podinfo']).includes(`${ns}/${name}`)),
    template: (kind, ns, name) =>
      Promise.resolve(
        opts.templates?.[kind === 'ClusterAnalysisTemplate' ? name : `${ns}/${name}`] ?? null,
      ),
  };
}

function canaryWith(spec: Partial<Canary['spec']>): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { name: 'podinfo' },
      service: { port: 80 },
      analysis: { stepWeight: 10 },
      ...spec,
    },
  };
}

const fields = async (c: Canary, l = lookups()): Promise<[string, string][]> =>
  (await canaryProblems(doc, c, l)).problems.map((p) => [p.field, p.message]);

const notes = async (c: Canary, l = lookups()) =>
  (await canaryProblems(doc, c, l)).notes.map((n) => ({ ...n, doc: undefined }));

describe('canaryProblems', () => {
  it('finds nothing wrong with a sound Canary', async () => {
    expect(await fields(canaryWith({}))).toEqual([]);
  });

  it('reports a missing target Deployment at spec.targetRef.name', async () => {
    expect(await fields(canaryWith({}), lookups({ deployments: [] }))).toEqual([
      ['spec.targetRef.name', 'Deployment test/podinfo not found (in the cluster or in this file)'],
    ]);
  });

  it('reports unparsable or too short durations with their paths', async () => {
    const c = canaryWith({
      analysis: {
        interval: '500ms',
        stepWeight: 10,
        metrics: [
          {
            name: 'm',
            interval: 'soon',
            trafficMetrics: { metric: 'success-rate' },
            thresholdRange: { min: 1 },
          },
        ],
        webhooks: [{ name: 'h', url: 'http://127.0.0.1/', timeout: '5 seconds' }],
      },
    });
    expect(await fields(c)).toEqual([
      ['spec.analysis.interval', '"500ms" is shorter than the minimum of 1s'],
      ['spec.analysis.metrics[0].interval', '"soon" is not a duration (e.g. 30s, 1m30s, 500ms)'],
      [
        'spec.analysis.webhooks[0].timeout',
        '"5 seconds" is not a duration (e.g. 30s, 1m30s, 500ms)',
      ],
    ]);
  });

  it('reports a strategy and schedule the engine cannot run', async () => {
    const c = canaryWith({
      analysis: { stepWeights: [50, 10] },
      schedule: { timeZone: 'Mars/Olympus', allow: ['* * * * *'] },
    });
    expect(await fields(c)).toEqual([
      ['spec.analysis', 'analysis.stepWeights must be strictly ascending weights in 1..100'],
      ['spec.schedule.timeZone', 'schedule.timeZone "Mars/Olympus" is not an IANA time zone'],
    ]);
    const cron = canaryWith({ schedule: { deny: ['* * * * *', '61 * * * *'] } });
    expect((await fields(cron))[0]?.[0]).toBe('spec.schedule.deny[1]');
  });

  it('checks templates exist and their query renders with the metric variables', async () => {
    const c = canaryWith({
      analysis: {
        stepWeight: 10,
        metrics: [
          { name: 'a', templateRef: { name: 'missing' }, thresholdRange: { min: 1 } },
          {
            name: 'b',
            templateRef: { name: 'rate', kind: 'ClusterAnalysisTemplate' },
            thresholdRange: { min: 1 },
          },
          {
            name: 'c',
            templateRef: { name: 'rate', kind: 'ClusterAnalysisTemplate' },
            templateVariables: { mesh: 'linkerd' },
            thresholdRange: { min: 1 },
          },
          {
            name: 'd',
            prometheus: { query: 'up{ns="{{ namespace }}", x="{{ nope }}"}' },
            thresholdRange: { min: 1 },
          },
        ],
      },
    });
    const l = lookups({
      templates: {
        rate: {
          query: 'rate({{ variables.mesh }}_requests{ns="{{ namespace }}"}[{{ interval }}])',
        },
      },
    });
    const found = await fields(c, l);
    expect(found.map(([f]) => f)).toEqual([
      'spec.analysis.metrics[0].templateRef.name',
      'spec.analysis.metrics[1].templateVariables',
      'spec.analysis.metrics[3].prometheus.query',
    ]);
    expect(found[0]?.[1]).toBe('AnalysisTemplate test/missing not found');
    expect(found[1]?.[1]).toMatch(/unknown template variable\(s\) "\{\{ variables.mesh \}\}"/);
    expect(found[2]?.[1]).toMatch(/"\{\{ nope \}\}"/);
  });

  it('checks webhook, inline and template addresses against the address policy', async () => {
    const c = canaryWith({
      analysis: {
        stepWeight: 10,
        metrics: [
          {
            name: 'p',
            prometheus: { query: 'up', address: 'http://10.0.0.1:9090' },
            thresholdRange: { min: 1 },
          },
          { name: 't', templateRef: { name: 'remote' }, thresholdRange: { min: 1 } },
        ],
        webhooks: [
          { name: 'ok', url: 'http://127.0.0.1:8080/' },
          { name: 'meta', url: 'http://169.254.169.254/latest/meta-data' },
        ],
      },
    });
    const l = lookups({
      cidrs: ['127.0.0.0/8'],
      templates: {
        'test/remote': { query: 'up', provider: { address: 'http://192.168.1.1:9090' } },
      },
    });
    expect((await fields(c, l)).map(([f]) => f)).toEqual([
      'spec.analysis.metrics[0].prometheus.address',
      'spec.analysis.metrics[1].templateRef',
      'spec.analysis.webhooks[1].url',
    ]);
  });

  it('skips the checks when the spec is too broken to read (the dry run reports that)', async () => {
    const broken = { ...canaryWith({}), spec: {} } as unknown as Canary;
    expect(await canaryProblems(doc, broken, lookups())).toEqual({ problems: [], notes: [] });
  });
});

describe('canaryProblems: a Canary that promotes blind', () => {
  const blind = {
    doc: undefined,
    warning: true,
    message:
      'promotes blind: no metrics and no gate webhooks (rollout, pre-rollout, confirm-*, rollback), so every step passes without evidence',
  };
  const metric = {
    name: 'sr',
    trafficMetrics: { metric: 'success-rate' as const },
    thresholdRange: { min: 99 },
  };

  it('warns when there are no metrics and no gate webhooks, without failing', async () => {
    const none = canaryWith({ analysis: { stepWeight: 10, metrics: [] } });
    expect(await fields(none)).toEqual([]);
    expect(await notes(none)).toEqual([blind]);
    const notifyOnly = canaryWith({
      analysis: {
        stepWeight: 10,
        webhooks: [
          { name: 'tell', type: 'event', url: 'http://127.0.0.1/' },
          { name: 'after', type: 'post-rollout', url: 'http://127.0.0.1/' },
        ],
      },
    });
    expect(await notes(notifyOnly)).toEqual([blind]);
  });

  it('does not warn with a metric, a gate webhook (the default type is rollout), or skipAnalysis', async () => {
    for (const c of [
      canaryWith({ analysis: { stepWeight: 10, metrics: [metric] } }),
      canaryWith({
        analysis: { stepWeight: 10, webhooks: [{ name: 'load', url: 'http://127.0.0.1/' }] },
      }),
      canaryWith({
        analysis: {
          stepWeight: 10,
          webhooks: [{ name: 'ok', type: 'confirm-promotion', url: 'http://127.0.0.1/' }],
        },
      }),
      canaryWith({ skipAnalysis: true, analysis: { stepWeight: 10 } }),
    ]) {
      expect(await notes(c)).toEqual([]);
    }
  });
});

describe('templateProblems', () => {
  const tdoc = { index: 2, kind: 'AnalysisTemplate', namespace: 'test', name: 't' };

  it('accepts any variables.x (a Canary may supply it) but not other placeholders', async () => {
    expect(
      await templateProblems(
        tdoc,
        { query: 'x{a="{{ variables.anything }}", b="{{ target }}"}' },
        LOOPBACK,
      ),
    ).toEqual([]);
    const bad = await templateProblems(tdoc, { query: 'x{a="{{ taget }}"} {{' }, LOOPBACK);
    expect(bad.map((p) => [p.field, p.source])).toEqual([['spec.query', 'controller']]);
  });

  it('checks the provider address', async () => {
    const found = await templateProblems(
      tdoc,
      { query: 'up', provider: { address: 'ftp://x' } },
      LOOPBACK,
    );
    expect(found.map((p) => p.field)).toEqual(['spec.provider.address']);
  });
});

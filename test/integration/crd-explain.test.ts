// What a user sees through kubectl against the real API server: `kubectl explain` shows our field
// documentation (published by the apiserver from the CRD schemas), and `kubectl get` shows our
// printer columns, short names and categories.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { kubectl as runKubectl } from './helpers/env.js';

const NS = `crd-explain-${Date.now().toString(36)}`;
const API = ['--api-version', 'weightlifter.io/v1alpha1'];

/** kubectl's stdout; a non-zero exit fails the test with kubectl's stderr. */
async function kubectl(...args: string[]): Promise<string> {
  const result = await runKubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** kubectl explain wraps lines; compare text with whitespace collapsed. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');
const example = (file: string): string =>
  fileURLToPath(new URL(`../../examples/${file}`, import.meta.url));

beforeAll(async () => {
  await kubectl('create', 'namespace', NS);
  await kubectl('apply', '-n', NS, '-f', example('canary-step-weight.yaml'));
  await kubectl('apply', '-n', NS, '-f', example('analysis-template.yaml'));
  const status = {
    phase: 'Progressing',
    canaryWeight: 20,
    failedChecks: 1,
    phaseSince: new Date().toISOString(),
    paused: true,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'Paused',
        message: 'paused by an operator: resume to continue',
        lastTransitionTime: new Date().toISOString(),
      },
    ],
  };
  await kubectl(
    'patch',
    '-n',
    NS,
    'canary',
    'podinfo',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  );
});

afterAll(async () => {
  await kubectl('delete', 'namespace', NS, '--wait=false');
});

describe('kubectl explain', () => {
  it('documents canary.spec.analysis.metrics and its fields', async () => {
    const out = flat(await kubectl('explain', 'canary.spec.analysis.metrics', ...API));
    expect(out).toContain('KIND: Canary');
    expect(out).toContain(
      'Checks run at every analysis step. Each has a unique name, exactly one source (trafficMetrics, prometheus or templateRef) and exactly one of thresholdRange and compare.',
    );
    expect(out).toContain('name <string> -required-');
    expect(out).toContain('thresholdRange <Object>');
    expect(out).toContain('compare <Object>');
    expect(out).toContain('Range a value must fall in for the check to pass');
  });

  it('lists enum values and the default of a leaf field', async () => {
    const out = flat(await kubectl('explain', 'canary.spec.analysis.webhooks.type', ...API));
    expect(out).toContain(
      'ENUM: confirm-rollout pre-rollout rollout confirm-traffic-increase confirm-promotion post-rollout rollback event',
    );
    expect(out).toContain('Default: rollout.');
  });

  it('works through the short name and for the templates', async () => {
    expect(flat(await kubectl('explain', 'wlc.spec.targetRef', ...API))).toContain(
      'The Deployment whose new revisions are released through this canary.',
    );
    expect(flat(await kubectl('explain', 'analysistemplate.spec.query', ...API))).toContain(
      'Placeholders: {{ namespace }}',
    );
    expect(
      flat(await kubectl('explain', 'clusteranalysistemplate.spec.provider.secretRef', ...API)),
    ).toContain("read from the controller's own namespace");
  });
});

describe('kubectl get', () => {
  const header = (out: string): string[] => (out.split('\n')[0] ?? '').trim().split(/\s+/);
  const row = (out: string, name: string): string[] =>
    (out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '').trim().split(/\s+/);

  it('shows Status, Weight, Ready, Reason, Paused, Suspended, FailedChecks, LastTransition and Message', async () => {
    const out = await kubectl('get', 'canaries', '-n', NS);
    expect(header(out)).toEqual([
      'NAME',
      'STATUS',
      'WEIGHT',
      'READY',
      'REASON',
      'PAUSED',
      'SUSPENDED',
      'FAILEDCHECKS',
      'LASTTRANSITION',
      'AGE',
      'MESSAGE',
    ]);
    expect(row(out, 'podinfo').slice(0, 8)).toEqual([
      'podinfo',
      'Progressing',
      '20',
      'False',
      'Paused',
      'true',
      'false',
      '1',
    ]);
    expect(out).toContain('paused by an operator: resume to continue');
  });

  it('adds Interval, StepWeight, StepWeights and MaxWeight with -o wide', async () => {
    const out = await kubectl('get', 'wlc', '-n', NS, '-o', 'wide');
    expect(header(out)).toEqual([
      'NAME',
      'STATUS',
      'WEIGHT',
      'READY',
      'REASON',
      'PAUSED',
      'SUSPENDED',
      'FAILEDCHECKS',
      'LASTTRANSITION',
      'INTERVAL',
      'STEPWEIGHT',
      'STEPWEIGHTS',
      'MAXWEIGHT',
      'AGE',
      'MESSAGE',
    ]);
    // examples/canary-step-weight.yaml: interval 30s, stepWeight 10, maxWeight 50, no stepWeights.
    expect(row(out, 'podinfo').slice(9, 11)).toEqual(['30s', '10']);
    expect(row(out, 'podinfo')).toContain('50');
  });

  it('finds our kinds through the weightlifter and all categories', async () => {
    const ours = await kubectl('get', 'weightlifter', '-n', NS, '-o', 'name');
    expect(ours).toContain('canary.weightlifter.io/podinfo');
    expect(ours).toContain('analysistemplate.weightlifter.io/request-success-rate');
    expect(await kubectl('get', 'all', '-n', NS, '-o', 'name')).toContain(
      'canary.weightlifter.io/podinfo',
    );
    expect(await kubectl('get', 'wlat', '-n', NS, '-o', 'name')).toContain('request-success-rate');
  });
});

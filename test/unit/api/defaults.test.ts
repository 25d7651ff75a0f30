import { describe, expect, it } from '@jest/globals';
import type { CanarySpec } from '../../../src/api/canary.js';
import {
  metricWindow,
  primaryName,
  serviceNames,
  withStoredDefaults,
} from '../../../src/api/defaults.js';

const minimal: CanarySpec = {
  targetRef: { name: 'podinfo' },
  service: { port: 9898 },
  analysis: {
    stepWeight: 10,
    metrics: [{ name: 'sr', templateRef: { name: 't' }, thresholdRange: { min: 99 } }],
    webhooks: [{ name: 'load', url: 'http://loadtester.test/' }],
  },
  schedule: { allow: ['* 8-17 * * 1-5'] },
};

describe('withStoredDefaults', () => {
  it('fills every default the CRD stores and keeps what was set', () => {
    expect(withStoredDefaults(minimal)).toEqual({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, portName: 'http' },
      routing: { smiVersion: 'auto' },
      analysis: {
        interval: '1m',
        threshold: 5,
        stepWeight: 10,
        stepWeightPromotion: 0,
        noData: 'inconclusive',
        minRequests: 0,
        errorLimit: 5,
        failFast: true,
        baseline: false,
        metrics: [
          {
            name: 'sr',
            templateRef: { name: 't', kind: 'AnalysisTemplate' },
            thresholdRange: { min: 99 },
          },
        ],
        webhooks: [
          {
            name: 'load',
            url: 'http://loadtester.test/',
            type: 'rollout',
            timeout: '10s',
            retries: 0,
          },
        ],
      },
      schedule: { timeZone: 'UTC', allow: ['* 8-17 * * 1-5'] },
      progressDeadlineSeconds: 600,
      skipAnalysis: false,
      suspend: false,
      revertOnDeletion: true,
    });
  });

  it('never overrides a value the user set, and is idempotent', () => {
    const set: CanarySpec = {
      ...minimal,
      revertOnDeletion: false,
      analysis: { interval: '15s', threshold: 1, iterations: 3, noData: 'fail' },
    };
    const once = withStoredDefaults(set);
    expect(once.revertOnDeletion).toBe(false);
    expect(once.analysis).toMatchObject({ interval: '15s', threshold: 1, noData: 'fail' });
    expect(withStoredDefaults(once)).toEqual(once);
  });

  it('stores no provider (the controller default applies) and the parentRefs defaults', () => {
    const spec = withStoredDefaults({
      ...minimal,
      routing: {
        provider: 'gatewayapi',
        parentRefs: [{ name: 'edge' }, { group: '', kind: 'Service', name: 'web', port: 80 }],
      },
    });
    expect(spec.routing).toEqual({
      provider: 'gatewayapi',
      smiVersion: 'auto',
      parentRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' },
        { group: '', kind: 'Service', name: 'web', port: 80 },
      ],
    });
    expect(withStoredDefaults(minimal).routing?.provider).toBeUndefined();
  });

  it('adds no analysis or schedule when there was none', () => {
    const spec = withStoredDefaults({
      targetRef: { name: 'a' },
      service: { port: 80 },
      skipAnalysis: true,
    });
    expect(spec.analysis).toBeUndefined();
    expect(spec.schedule).toBeUndefined();
  });
});

describe('derived names and windows', () => {
  it('names Services after service.name, else the target', () => {
    expect(serviceNames(minimal)).toEqual({
      apex: 'podinfo',
      primary: 'podinfo-primary',
      canary: 'podinfo-canary',
    });
    expect(serviceNames({ ...minimal, service: { port: 80, name: 'api' } }).canary).toBe(
      'api-canary',
    );
    expect(primaryName(minimal)).toBe('podinfo-primary');
  });

  it('uses the metric interval, else the analysis interval, else 1m', () => {
    expect(metricWindow({ interval: '2m' }, { interval: '30s' })).toBe('2m');
    expect(metricWindow({}, { interval: '30s' })).toBe('30s');
    expect(metricWindow({}, {})).toBe('1m');
  });
});

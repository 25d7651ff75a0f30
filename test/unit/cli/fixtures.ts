// Canaries and styles for the renderer tests.
import type { Canary } from '../../../src/api/canary.js';
import type { Style } from '../../../src/cli/render/style.js';

export const NOW = Date.parse('2026-11-24T12:10:00Z');

export const PLAIN: Style = { color: false, unicode: false, tty: false, width: 100, height: null };
export const TTY_NO_COLOR: Style = {
  color: false,
  unicode: true,
  tty: true,
  width: 100,
  height: null,
};
export const COLOR: Style = { color: true, unicode: true, tty: true, width: 100, height: null };

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

export function canary(over: Partial<Canary['status']> = {}): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', generation: 3, uid: 'u1' },
    spec: {
      targetRef: { name: 'podinfo' },
      service: { port: 9898 },
      analysis: {
        interval: '30s',
        threshold: 5,
        stepWeights: [5, 10, 25, 50],
        metrics: [
          {
            name: 'success-rate',
            trafficMetrics: { metric: 'success-rate' },
            thresholdRange: { min: 99 },
          },
          {
            name: 'latency-p99',
            trafficMetrics: { metric: 'p99_response_latency' },
            thresholdRange: { max: 500 },
          },
          { name: 'budget', prometheus: { query: 'x' }, thresholdRange: { min: 1, max: 2 } },
        ],
      },
    },
    status: {
      observedGeneration: 3,
      phase: 'Progressing',
      phaseSince: '2026-11-24T12:07:47Z',
      canaryWeight: 10,
      stepIndex: 2,
      failedChecks: 1,
      revision: '5d8c7f0123456789',
      lastPromotedRevision: '91ab02cd99',
      lastAnalysis: [
        { metric: 'success-rate', value: 99.734, result: 'Successful', at: '2026-11-24T12:09:30Z' },
        {
          metric: 'latency-p99',
          value: 612,
          result: 'Failed',
          message: '612 > 500',
          at: '2026-11-24T12:09:30Z',
        },
        {
          metric: 'webhook/rollout',
          result: 'Failed',
          message: 'HTTP 503',
          at: '2026-11-24T12:09:30Z',
        },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'CheckFailed',
          message: 'failed check 1/5: latency-p99 612 > 500',
          lastTransitionTime: '2026-11-24T12:09:30Z',
        },
      ],
      ...over,
    },
  };
}

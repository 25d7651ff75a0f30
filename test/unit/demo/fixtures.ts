// The demo's own Canary (parsed from the manifest it applies) with a status, and the styles.
import { parse } from 'yaml';
import type { Canary, CanaryStatus } from '../../../src/api/canary.js';
import type { Style } from '../../../src/cli/render/style.js';
import { canaryYaml } from '../../../dev/demo/manifests.js';

export const T0 = Date.parse('2026-11-24T12:00:00Z');
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

export const PLAIN: Style = { color: false, unicode: false, tty: false, width: 100, height: null };
export const COLOR: Style = { color: true, unicode: true, tty: true, width: 100, height: null };

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

export function demoCanary(status?: CanaryStatus): Canary {
  const c = parse(canaryYaml()) as Canary;
  return status === undefined ? c : { ...c, status };
}

export function analysed(
  s: number,
  successRate: number,
  p99: number,
  extra: Partial<CanaryStatus> = {},
): CanaryStatus {
  return {
    phase: 'Progressing',
    canaryWeight: 10,
    failedChecks: 0,
    revision: 'rev-2',
    lastPromotedRevision: 'rev-1',
    lastAnalysisAt: at(s),
    lastAnalysis: [
      {
        metric: 'success-rate',
        value: successRate,
        result: successRate >= 99 ? 'Successful' : 'Failed',
        at: at(s),
      },
      {
        metric: 'latency-p99',
        value: p99,
        result: p99 <= 100 ? 'Successful' : 'Failed',
        at: at(s),
      },
    ],
    ...extra,
  };
}

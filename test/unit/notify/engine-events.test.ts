// Which engine Events become alerts, and with which kind and severity.
import { describe, expect, it } from '@jest/globals';
import { notificationFor } from '../../../src/notify/engine-events.js';

const at = Date.parse('2026-11-24T12:00:00Z');
const status = { phase: 'Failed', revision: 'abc', canaryWeight: 0, failedChecks: 5 };

function kindOf(eventType: 'Normal' | 'Warning', reason: string): [string, string] | null {
  const n = notificationFor({
    canary: { namespace: 'test', name: 'podinfo' },
    status,
    event: { eventType, reason, message: 'm' },
    now: at,
  });
  return n === null ? null : [n.kind, n.severity];
}

describe('notificationFor', () => {
  it.each([
    ['Normal', 'NewRevision', ['RunStarted', 'info']],
    ['Normal', 'Succeeded', ['Promoted', 'info']],
    ['Warning', 'CheckFailed', ['CheckFailed', 'warn']],
    ['Warning', 'Aborted', ['Aborted', 'warn']],
    ['Warning', 'TargetNotFound', ['Stalled', 'warn']],
    ['Warning', 'TrafficShiftStalled', ['Stalled', 'warn']],
    ['Warning', 'TargetNotReady', ['Stalled', 'warn']],
    ['Warning', 'PrimaryTemplateUnavailable', ['Stalled', 'warn']],
    ['Warning', 'InvalidSpec', ['Stalled', 'warn']],
    ['Warning', 'TemplateNotFound', ['Stalled', 'warn']],
    ['Warning', 'UnsupportedStrategy', ['Stalled', 'warn']],
    ['Warning', 'TrafficSplitUnavailable', ['Stalled', 'warn']],
    ['Warning', 'NotOwned', ['Stalled', 'warn']],
    ['Warning', 'RouteRejected', ['Stalled', 'warn']],
    ['Warning', 'FailedChecksThresholdReached', ['ThresholdReached', 'error']],
    ['Warning', 'ProgressDeadlineExceeded', ['ProgressDeadlineExceeded', 'error']],
    ['Warning', 'PromotionFailed', ['PromotionFailed', 'error']],
    ['Warning', 'CanaryNotReady', ['RolledBack', 'error']],
    ['Warning', 'RollbackRequested', ['RolledBack', 'error']],
    ['Warning', 'AnalysisInconclusive', ['RolledBack', 'error']],
    ['Warning', 'FailFast', ['RolledBack', 'error']],
    ['Warning', 'MetricsUnavailable', ['RolledBack', 'error']],
  ] as const)('%s %s -> %j', (type, reason, expected) => {
    expect(kindOf(type, reason)).toEqual(expected);
  });

  it.each([
    ['Normal', 'Advanced'],
    ['Normal', 'PromotionStep'],
    ['Normal', 'Initialized'],
    // The start of an inconclusive streak is Normal; only the rollback after it is Warning.
    ['Normal', 'AnalysisInconclusive'],
    ['Normal', 'FailedChecksThresholdReached'],
    ['Warning', 'constructor'],
  ] as const)('%s %s is not an alert', (type, reason) => {
    expect(kindOf(type, reason)).toBeNull();
  });

  it('carries the canary, the persisted status and the time', () => {
    const n = notificationFor({
      canary: { namespace: 'test', name: 'podinfo' },
      status,
      event: { eventType: 'Warning', reason: 'Aborted', message: 'aborted by an operator' },
      now: at,
      cluster: 'prod',
    });
    expect(n).toEqual({
      kind: 'Aborted',
      severity: 'warn',
      canary: 'podinfo',
      namespace: 'test',
      phase: 'Failed',
      reason: 'Aborted',
      message: 'aborted by an operator',
      revision: 'abc',
      timestamp: '2026-11-24T12:00:00.000Z',
      canaryWeight: 0,
      failedChecks: 5,
      cluster: 'prod',
    });
  });
});

// Shared events and a silent logger for the notify unit tests.
import { pino } from 'pino';
import type { NotifyEvent } from '../../../src/notify/types.js';

export const silent = pino({ level: 'silent' });

export const rollback: NotifyEvent = {
  kind: 'ThresholdReached',
  severity: 'error',
  canary: 'podinfo',
  namespace: 'test',
  phase: 'Failed',
  reason: 'FailedChecksThresholdReached',
  message: 'rolled back revision 5d8c7f0123456789: 5 failed checks; last: latency-p99 612 > 500',
  revision: '5d8c7f0123456789',
  timestamp: '2026-11-24T12:00:00.000Z',
  canaryWeight: 0,
  failedChecks: 5,
  cluster: null,
};

export const started: NotifyEvent = {
  ...rollback,
  kind: 'RunStarted',
  severity: 'info',
  phase: 'Progressing',
  reason: 'NewRevision',
  message: 'New revision detected: analysing revision 5d8c7f0123456789',
  failedChecks: 0,
};

export const checkFailed: NotifyEvent = {
  ...rollback,
  kind: 'CheckFailed',
  severity: 'warn',
  phase: 'Progressing',
  reason: 'CheckFailed',
  message: 'latency-p99 612 > 500',
  canaryWeight: 10,
  failedChecks: 1,
};

export const noWait = (delays: number[] = []) => ({
  sleep: (ms: number): Promise<void> => {
    delays.push(ms);
    return Promise.resolve();
  },
});

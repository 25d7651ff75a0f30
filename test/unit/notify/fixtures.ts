// Shared events, a silent logger and CanaryActors set-up for the notify unit tests.
import { pino } from 'pino';
import type { Canary } from '../../../src/api/canary.js';
import { CanaryActors, type ActorDeps } from '../../../src/canary/actors.js';
import type { CanaryJson } from '../../../src/canary/caches.js';
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

/** A dependency the code under test has no business using: any access fails the test. */
export function unused(what: string): never {
  return new Proxy(
    {},
    {
      get(_, prop) {
        throw new Error(`used ${what}.${String(prop)}`);
      },
    },
  ) as never;
}

/** CanaryActors for one step of `json`; the router is off limits. */
export function actorsFor(deps: ActorDeps, json: CanaryJson): CanaryActors {
  return new CanaryActors(deps, {
    canary: json as unknown as Canary,
    json,
    router: unused('router'),
    releaseRoute: unused('releaseRoute'),
    releaseOtherRoutes: unused('releaseOtherRoutes'),
    logger: silent,
  });
}

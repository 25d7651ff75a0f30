import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { CanaryStatus } from '../../../src/api/canary.js';
import {
  blockCanary,
  blockedConditions,
  type BlockDeps,
  type Blocked,
} from '../../../src/controller/blocked.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import type { EventInput } from '../../../src/kube/events.js';
import type { JsonObject } from '../../../src/kube/merge-patch.js';
import type { Notifier } from '../../../src/notify/notifier.js';
import type { NotifyEvent } from '../../../src/notify/types.js';
import { canaryJson } from './canary-fixtures.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('blockedConditions', () => {
  it('sets Ready=False, Stalled=True and Reconciling=False with the reason, keeping other conditions', () => {
    const canary = canaryJson(
      'ns',
      'web',
      {},
      {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            message: 'ok',
            lastTransitionTime: 't0',
          },
          {
            type: 'Promoted',
            status: 'True',
            reason: 'Succeeded',
            message: 'phase Succeeded',
            lastTransitionTime: 't0',
          },
        ],
      },
    );
    const patch = blockedConditions(
      canary,
      { reason: 'NotOwned', message: 'Service web is not ours' },
      NOW,
    );
    expect(patch).toEqual({
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'NotOwned',
          message: 'Service web is not ours',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
        {
          type: 'Stalled',
          status: 'True',
          reason: 'NotOwned',
          message: 'Service web is not ours',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
        {
          type: 'Reconciling',
          status: 'False',
          reason: 'NotOwned',
          message: 'Service web is not ours',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
          observedGeneration: 1,
        },
        {
          type: 'Promoted',
          status: 'True',
          reason: 'Succeeded',
          message: 'phase Succeeded',
          lastTransitionTime: 't0',
        },
      ],
    });
  });

  it('writes nothing when the status already says so', () => {
    const blocked = { reason: 'TargetNotFound', message: 'no target' };
    const first = blockedConditions(canaryJson('ns', 'web'), blocked, NOW);
    const canary = canaryJson('ns', 'web', {}, { conditions: first?.['conditions'] as never });
    expect(blockedConditions(canary, blocked, NOW + 1_000)).toBeUndefined();
    expect(
      blockedConditions(canary, { ...blocked, message: 'still no target' }, NOW),
    ).toBeDefined();
  });
});

/** Our own seams (recorder, status writer, notifier) in memory; the status patch is applied. */
function blockedWorld(status?: CanaryStatus) {
  let json = canaryJson('ns', 'web', {}, status);
  const alerts: NotifyEvent[] = [];
  const events: EventInput[] = [];
  const notifier: Notifier = {
    notify: (event) => {
      alerts.push(event);
      return Promise.resolve([]);
    },
    idle: () => Promise.resolve(),
  };
  const deps: BlockDeps = {
    recorder: {
      record: (input) => {
        events.push(input);
        return Promise.resolve('created');
      },
    },
    statusWriter: {
      patchStatus: <T>(_r: unknown, _ns: unknown, _n: string, patch: JsonObject) => {
        json = { ...json, status: { ...json.status, ...(patch as CanaryStatus) } };
        return Promise.resolve(json as T);
      },
    },
    clock: new ManualClock(NOW),
    alerts: { notifier, cluster: 'test' },
  };
  const logger = pino({ level: 'silent' });
  return {
    alerts,
    events,
    block: (blocked: Blocked) => blockCanary(deps, json, blocked, { logger, statusWritten: false }),
  };
}

describe('blockCanary', () => {
  const invalid = { reason: 'InvalidSpec', message: 'analysis.interval: must be >= 1s' };

  it('sends the Stalled alert once per transition into the blocked state, not per reconcile', async () => {
    const w = blockedWorld({ phase: 'Succeeded' });
    await w.block(invalid);
    await w.block(invalid); // the retry after BLOCKED_REQUEUE_MS
    await w.block({ ...invalid, message: 'analysis.threshold: must be >= 1' });
    expect(w.alerts).toEqual([
      expect.objectContaining({
        kind: 'Stalled',
        severity: 'warn',
        reason: 'InvalidSpec',
        message: invalid.message,
        canary: 'web',
        namespace: 'ns',
        phase: 'Succeeded',
        cluster: 'test',
      }),
    ]);
    // The Event is still recorded on every blocked step (the recorder folds repeats into a series).
    expect(w.events.map((e) => e.reason)).toEqual(['InvalidSpec', 'InvalidSpec', 'InvalidSpec']);
  });

  it('alerts again on a transition to another blocked reason', async () => {
    const w = blockedWorld();
    await w.block(invalid);
    await w.block({ reason: 'TargetNotFound', message: 'no target' });
    expect(w.alerts.map((a) => a.reason)).toEqual(['InvalidSpec', 'TargetNotFound']);
  });

  it('does not alert for a Canary that is already Stalled for the reason (e.g. after a restart)', async () => {
    const conditions = blockedConditions(canaryJson('ns', 'web'), invalid, NOW)?.['conditions'];
    const w = blockedWorld({ conditions: conditions as never });
    await w.block(invalid);
    expect(w.alerts).toEqual([]);
  });
});

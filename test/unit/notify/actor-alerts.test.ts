// CanaryActors.emitEvent turns alert-worthy engine Events into notifications, after the Event is
// recorded, without waiting for delivery. Only our own seams are faked: the EventSink, the
// Notifier and the StatusWriter; everything emitEvent must not touch throws when used.
import { describe, expect, it } from '@jest/globals';
import type { CanaryStatus } from '../../../src/api/canary.js';
import type { ActorDeps, AlertDeps } from '../../../src/canary/actors.js';
import type { CanaryJson } from '../../../src/canary/caches.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { EventRecorder, type EventSink } from '../../../src/kube/events.js';
import type { JsonObject } from '../../../src/kube/merge-patch.js';
import type { StatusWriter } from '../../../src/kube/status.js';
import type { EffectOf } from '../../../src/machine/types.js';
import type { DeliveryResult, Notifier, NotifyEvent } from '../../../src/notify/index.js';
import { actorsFor, silent, unused } from './fixtures.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

class RecordingNotifier implements Notifier {
  readonly sent: NotifyEvent[] = [];
  constructor(
    readonly answer: () => Promise<readonly DeliveryResult[]> = () => Promise.resolve([]),
  ) {}
  notify(event: NotifyEvent): Promise<readonly DeliveryResult[]> {
    this.sent.push(event);
    return this.answer();
  }
  idle(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(opts: { alerts?: AlertDeps; status?: CanaryStatus; order?: string[] } = {}) {
  const order = opts.order ?? [];
  const events: JsonObject[] = [];
  const sink: EventSink = {
    create: (_ns, event) => {
      events.push(event);
      order.push(`event ${JSON.stringify(event['reason'])}`);
      return Promise.resolve();
    },
    patch: () => Promise.resolve(),
  };
  const clock = new ManualClock(NOW);
  const written: JsonObject[] = [];
  const deps: ActorDeps = {
    raw: unused('raw'),
    caches: unused('caches'),
    statusWriter: {
      patchStatus: (_ref: unknown, _ns: unknown, _name: unknown, patch: JsonObject) => {
        written.push(patch);
        return Promise.resolve();
      },
    } as unknown as StatusWriter,
    recorder: new EventRecorder({ sink, logger: silent, clock, reportingInstance: 'test' }),
    metricSources: unused('metricSources'),
    urlPolicy: unused('urlPolicy'),
    controllerNamespace: 'weightlifter-system',
    clock,
    ...(opts.alerts === undefined ? {} : { alerts: opts.alerts }),
  };
  const json: CanaryJson = {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { namespace: 'shop', name: 'podinfo', uid: 'u1', resourceVersion: '7' },
    spec: { targetRef: { name: 'podinfo' }, service: { port: 9898 } },
    ...(opts.status === undefined ? {} : { status: opts.status }),
  };
  const actors = actorsFor(deps, json);
  return { actors, events, written };
}

const event = (
  eventType: 'Normal' | 'Warning',
  reason: string,
  message: string,
): EffectOf<'emitEvent'> => ({ type: 'emitEvent', eventType, reason, message });

describe('CanaryActors.emitEvent with alerts', () => {
  it('records the Event, then sends the alert with the status of this step', async () => {
    const order: string[] = [];
    const notifier = new RecordingNotifier(() => {
      order.push('notify');
      return Promise.resolve([]);
    });
    const { actors, events } = setup({
      alerts: { notifier, cluster: 'prod-eu' },
      status: { phase: 'Progressing', revision: 'abc123', canaryWeight: 20, failedChecks: 1 },
      order,
    });
    // The step persisted Failed (weight 0) over the cached Progressing; its effects are given it.
    await actors.emitEvent(
      event('Warning', 'FailedChecksThresholdReached', 'rolled back: success-rate 70 < 99'),
      undefined,
      { phase: 'Failed', revision: 'abc123', canaryWeight: 0, failedChecks: 2 },
    );
    expect(order).toEqual(['event "FailedChecksThresholdReached"', 'notify']);
    expect(events).toHaveLength(1);
    expect(notifier.sent).toEqual([
      {
        kind: 'ThresholdReached',
        severity: 'error',
        canary: 'podinfo',
        namespace: 'shop',
        phase: 'Failed',
        reason: 'FailedChecksThresholdReached',
        message: 'rolled back: success-rate 70 < 99',
        revision: 'abc123',
        timestamp: '2026-11-24T12:00:00.000Z',
        canaryWeight: 0,
        failedChecks: 2,
        cluster: 'prod-eu',
      },
    ]);
  });

  it('reads phase and revision from the status it is given, not the cached one', async () => {
    const notifier = new RecordingNotifier();
    const { actors } = setup({
      alerts: { notifier, cluster: null },
      status: { phase: 'Progressing', revision: 'r0', canaryWeight: 20 },
    });
    await actors.emitEvent(event('Warning', 'Aborted', 'aborted by request abort:1'), undefined, {
      phase: 'Failed',
      revision: 'r1',
      canaryWeight: 0,
    });
    expect(notifier.sent.map((n) => [n.kind, n.severity, n.phase, n.revision, n.cluster])).toEqual([
      ['Aborted', 'warn', 'Failed', 'r1', null],
    ]);
  });

  it('sends nothing for progress detail (Advanced), but still records the Event', async () => {
    const notifier = new RecordingNotifier();
    const { actors, events } = setup({ alerts: { notifier, cluster: null } });
    await actors.emitEvent(event('Normal', 'Advanced', 'canary weight 20'), undefined, {});
    expect(events.map((e) => e['reason'])).toEqual(['Advanced']);
    expect(notifier.sent).toEqual([]);
  });

  it('does not wait for delivery: a receiver that never answers does not hold the step', async () => {
    const notifier = new RecordingNotifier(() => new Promise(() => undefined));
    const { actors } = setup({ alerts: { notifier, cluster: null } });
    await actors.emitEvent(event('Normal', 'NewRevision', 'New revision detected'), undefined, {});
    await actors.emitEvent(event('Normal', 'Succeeded', 'Promotion completed'), undefined, {});
    expect(notifier.sent.map((n) => n.kind)).toEqual(['RunStarted', 'Promoted']);
  });

  it('records Events as before when no alerts are configured', async () => {
    const { actors, events } = setup();
    await actors.emitEvent(event('Normal', 'Succeeded', 'Promotion completed'), undefined, {});
    expect(events.map((e) => e['reason'])).toEqual(['Succeeded']);
  });
});

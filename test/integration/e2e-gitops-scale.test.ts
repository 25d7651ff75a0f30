// End-to-end: a GitOps tool (here: the test re-applying the app's manifest, as Argo CD self-heal
// does whenever it sees drift) scales the idle target back up outside a run. Same template, so no
// analysis starts; and no tug of war: the controller scales it down again with growing pauses
// (by default 60 s, then 120 s; here --idle-scale-backoff 5s: 5 s, then 10 s), then gives up with
// TargetScaledDown=False/ScaleContested and a Warning Event. Scale writes are counted from a watch
// on the Deployment.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import type { CanaryStatus } from '../../src/api/canary.js';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import { BUILTIN } from '../../src/kube/resources.js';
import type { DeploymentJson } from '../../src/workload/k8s-types.js';
import { eventually, phaseIs, startE2E, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, appYaml, canaryYaml, namespaceYaml } from '../e2e/manifests.js';
import { SplitRecorder, canaryEvents } from '../e2e/observers.js';

jest.setTimeout(480_000);

let e: E2E;
const ns = 'e2e-gitops-scale';

beforeAll(async () => {
  e = await startE2E('gitops-scale', {
    controllerArgs: ['--idle-scale-attempts', '3', '--idle-scale-backoff', '5s'],
  });
}, 180_000);

afterAll(async () => {
  await e.stop();
}, 60_000);

const scaleCondition = (s: CanaryStatus) =>
  s.conditions?.find((c) => c.type === 'TargetScaledDown');

describe('GitOps scaling the idle target back up', () => {
  it('starts no run and stops fighting after a bounded number of scale-downs', async () => {
    // Every change of the target's spec.replicas, in order, from a watch.
    const replicas: number[] = [];
    const deployments = new Informer<DeploymentJson>({
      name: 'e2e-deployments',
      listerWatcher: createListerWatcher<DeploymentJson>(e.admin, BUILTIN.deployments, {
        namespace: ns,
      }),
      logger: pino({ level: 'silent' }),
    });
    deployments.onEvent((ev) => {
      if (ev.type === 'delete' || ev.obj.metadata?.name !== APP) return;
      const n = ev.obj.spec?.replicas ?? -1;
      if (replicas.at(-1) !== n) replicas.push(n);
    });
    await e.apply(namespaceYaml(ns));
    deployments.start();
    await deployments.waitForSync(30_000);
    const split = new SplitRecorder(e.admin, ns);
    await split.start();
    const gitops = new AbortController();
    const running = (): boolean => !gitops.signal.aborted;
    let reapplied = 0;
    let tool: Promise<void> = Promise.resolve();
    try {
      await e.apply(appYaml(ns));
      await e.apply(canaryYaml(ns));
      await waitForStatus(
        e,
        ns,
        APP,
        'Initialized and scaled down',
        (s) => s.phase === 'Initialized' && s.idleScale?.attempts === 1,
      );
      split.reset();
      await eventually('the routine scale-down seen by the watch', () =>
        replicas.length >= 2 ? true : undefined,
      );
      expect(replicas).toEqual([2, 0]);

      // The GitOps tool: whenever the live replicas drift from Git (0 instead of 2), it re-applies
      // the same manifest after a short self-heal delay.
      tool = (async () => {
        while (running()) {
          if (deployments.getByName(ns, APP)?.spec?.replicas === 0) {
            await new Promise((r) => setTimeout(r, 2_000));
            if (!running()) break;
            await e.apply(appYaml(ns));
            reapplied++;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      })();

      const contested = await waitForStatus(
        e,
        ns,
        APP,
        'TargetScaledDown=False/ScaleContested',
        (s) => scaleCondition(s)?.reason === 'ScaleContested',
        300_000,
      );
      expect(contested.phase).toBe('Initialized');
      expect(scaleCondition(contested)).toMatchObject({ status: 'False' });
      expect(scaleCondition(contested)?.message).toMatch(
        /^scale-down 3 of 3 at .*ignoreDifferences/,
      );
      await eventually('the tool re-applied after the last scale-down', () =>
        deployments.getByName(ns, APP)?.spec?.replicas === 2 ? true : undefined,
      );

      // A quiet window: the tool has nothing to re-apply, the controller writes no more scales.
      const writes = replicas.length;
      const applies = reapplied;
      await new Promise((r) => setTimeout(r, 15_000));
      expect(replicas.length).toBe(writes);
      expect(reapplied).toBe(applies);
      // Routine scale-down after initialization, then exactly two more: bounded, not a fight.
      expect(replicas).toEqual([2, 0, 2, 0, 2, 0, 2]);
      expect(reapplied).toBe(3);

      // No analysis, no traffic to the target, an explanation for the user.
      const final = await waitForStatus(e, ns, APP, 'still Initialized', phaseIs('Initialized'));
      expect(final.canaryWeight).toBe(0);
      expect(final.lastAnalysis ?? []).toEqual([]);
      expect(split.weights).toEqual([0]);
      const events = await canaryEvents(e.admin, ns, (evs) =>
        evs.some((ev) => ev.reason === 'ScaleContested'),
      );
      expect(events.filter((ev) => ev.reason === 'NewRevision')).toEqual([]);
      expect(events.filter((ev) => ev.reason === 'TargetScaledDown')).toHaveLength(2);
      expect(events.filter((ev) => ev.reason === 'ScaleContested')).toHaveLength(1);
      expect(e.controller.logs.filter((l) => l.msg === 'analysis')).toEqual([]);
    } finally {
      gitops.abort();
      await tool;
      await split.stop();
      await deployments.stop();
    }
  });
});

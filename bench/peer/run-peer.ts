// One run of the peer for one N: its own fresh world (the same options as weightlifter's run,
// the audit log following the peer's identity), the peer as a child process, the same fleet,
// the same scenarios and counters. Reaction is weightlifter's only: Flagger's status has no
// per-check timestamps to measure the rollback from.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { World } from '../../dev/local/world.js';
import { freePort } from '../../dev/local/ports.js';
import type { BenchContext } from '../context.js';
import { fleetMembers } from '../fleet.js';
import { loadAverage } from '../machine.js';
import type { BenchOptions } from '../options.js';
import type { RunResult } from '../report.js';
import { benchWorldOptions, setUpAndMeasure, type RunHandle } from '../run-n.js';
import { FleetTracker } from '../tracker.js';
import { applyIn, startBenchWorld } from '../world.js';
import { controlPlanePids } from '../world-cpu.js';
import {
  FLAGGER_CANARIES,
  FLAGGER_MANIFESTS,
  FLAGGER_USER,
  FlaggerChild,
  type FlaggerBuild,
} from './flagger.js';

/** Flagger's CRDs, and cluster-admin for its identity (its own chart's role is nearly that wide). */
async function installFlagger(world: World, build: FlaggerBuild): Promise<void> {
  await applyIn(world, build.crds, await readFile(build.crds, 'utf8'));
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'flagger' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: FLAGGER_USER }],
  };
  await applyIn(world, 'the flagger ClusterRoleBinding', JSON.stringify(binding));
}

export async function runFlaggerForN(
  opts: BenchOptions,
  n: number,
  workDir: string,
  handle: RunHandle,
  log: (m: string) => void,
  build: FlaggerBuild,
): Promise<RunResult> {
  const nlog = (m: string): void => {
    log(`[flagger N=${n}] ${m}`);
  };
  const auditLog = join(workDir, `flagger-audit-${n}.log`);
  nlog('starting a fresh world and Flagger');
  const bw = await startBenchWorld(benchWorldOptions(opts, auditLog, FLAGGER_USER), (w) =>
    installFlagger(w, build),
  );
  const cp = bw.world.controlPlane;
  const flagger = new FlaggerChild({
    binary: build.binary,
    kubeconfig: await cp.kubeconfigFor(FLAGGER_USER),
    prometheusUrl: bw.world.prometheusUrl,
    port: await freePort(),
    logFile: join(workDir, `flagger-${n}.log`),
  });
  handle.current = {
    stop: async () => {
      await flagger.stop();
      await bw.stop();
    },
  };
  const tracker = new FleetTracker(bw.admin, 'smi', FLAGGER_CANARIES);
  try {
    await flagger.start();
    await tracker.start();
    const members = fleetMembers(n, opts.perNamespace);
    const ctx: BenchContext = {
      opts,
      admin: bw.admin,
      controllers: [flagger],
      controllerUser: FLAGGER_USER,
      quietOn: 'writes but Events',
      auditLog,
      prometheusUrl: bw.world.prometheusUrl,
      members,
      tracker,
      worldPids: {
        ...controlPlanePids(cp.dir),
        prometheus: bw.world.prometheus.pid,
        'bench+emulator': process.pid,
      },
      log: nlog,
    };
    nlog(`creating ${n} Deployments and Flagger Canaries`);
    const result = await setUpAndMeasure(ctx, FLAGGER_MANIFESTS);
    if (opts.scenarios.includes('reaction')) nlog('reaction: not measured for the peer');
    return { ...result, loadAverageAfter: loadAverage() };
  } finally {
    await tracker.stop();
    await flagger.stop();
    await bw.stop();
    handle.current = undefined;
  }
}

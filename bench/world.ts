// The bench's world: the local SMI world with the controller's namespace and RBAC applied, and the
// admin client. Not the e2e harness: that one insists on pods run by kube-scheduler and kwok (e2e
// tests keep the endpoint gate on), while the bench by default lets the emulator's kubelet role
// make pods Ready, at a scale kube-controller-manager's client limit would pace, and runs the
// controller with the gate off (run-n.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKubeConfig } from '../src/kube/client.js';
import { KubeRawClient } from '../src/kube/raw-client.js';
import { repoRoot } from '../dev/local/paths.js';
import { startWorld, type World, type WorldOptions } from '../dev/local/world.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';

export interface BenchWorld {
  readonly world: World;
  /** The cluster admin's client (the bench's own hands; the controller never uses it). */
  readonly admin: KubeRawClient;
  stop(): Promise<void>;
}

/** `kubectl apply` of `input` in the world; `what` names it in the error. */
export async function applyIn(world: World, what: string, input: string): Promise<void> {
  const r = await world.controlPlane.kubectl(['apply', '-f', '-'], { input });
  if (r.code !== 0) {
    throw new BenchError(
      BENCH_ERROR_CODES.SETUP,
      `kubectl apply ${what} failed (${r.code}): ${r.stderr}`,
    );
  }
}

/**
 * Starts a world; `install` puts in what the controller under measurement needs (default:
 * weightlifter's namespace and least-privilege RBAC from deploy/, exactly what an operator installs).
 */
export async function startBenchWorld(
  opts: WorldOptions,
  install: (world: World) => Promise<void> = installWeightlifter,
): Promise<BenchWorld> {
  const world = await startWorld(opts);
  try {
    await install(world);
  } catch (err) {
    await world.stop();
    throw err;
  }
  const admin = new KubeRawClient(
    loadKubeConfig({ kubeconfigPath: world.controlPlane.adminKubeconfig }),
  );
  return { world, admin, stop: () => world.stop() };
}

async function installWeightlifter(world: World): Promise<void> {
  for (const file of ['namespace.yaml', 'rbac.yaml']) {
    const input = await readFile(join(repoRoot(), 'deploy', file), 'utf8');
    await applyIn(world, `deploy/${file}`, input);
  }
}

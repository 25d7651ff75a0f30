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

export async function startBenchWorld(opts: WorldOptions): Promise<BenchWorld> {
  const world = await startWorld(opts);
  try {
    // Exactly what an operator installs: the namespace and the least-privilege RBAC.
    for (const file of ['namespace.yaml', 'rbac.yaml']) {
      const input = await readFile(join(repoRoot(), 'deploy', file), 'utf8');
      const r = await world.controlPlane.kubectl(['apply', '-f', '-'], { input });
      if (r.code !== 0) {
        throw new BenchError(
          BENCH_ERROR_CODES.SETUP,
          `kubectl apply deploy/${file} failed (${r.code}): ${r.stderr}`,
        );
      }
    }
  } catch (err) {
    await world.stop();
    throw err;
  }
  const admin = new KubeRawClient(
    loadKubeConfig({ kubeconfigPath: world.controlPlane.adminKubeconfig }),
  );
  return { world, admin, stop: () => world.stop() };
}

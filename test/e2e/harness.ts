// End-to-end harness: a local SMI world (real control plane, real Prometheus, mesh emulator), the
// controller's RBAC from deploy/rbac.yaml, and the controller as a child process running as
// system:serviceaccount:weightlifter-system:weightlifter. Each e2e file starts its own.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { CanaryStatus } from '../../src/api/canary.js';
import { loadKubeConfig } from '../../src/kube/client.js';
import { KubeRawClient } from '../../src/kube/raw-client.js';
import type { ControlPlane } from '../../dev/local/control-plane.js';
import { startWorld, type World, type WorldOptions } from '../../dev/local/world.js';
import { ControllerProcess } from './controller-process.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface E2E {
  readonly world: World;
  /** Admin client (the test's own hands; the controller never uses it). */
  readonly admin: KubeRawClient;
  readonly controller: ControllerProcess;
  /**
   * Another replica of the controller (not started), with the same flags plus `extraArgs`;
   * stop() closes it too. Its log goes to controller-<name>-<replica>.log.
   */
  addController(replica: string, extraArgs?: readonly string[]): ControllerProcess;
  kubectl(args: string[], input?: string): Promise<string>;
  apply(manifest: string): Promise<void>;
  stop(): Promise<void>;
}

export interface E2EOptions {
  readonly world?: WorldOptions;
  readonly controllerArgs?: readonly string[];
  /** Start the controller right away. @default true */
  readonly startController?: boolean;
}

export async function startE2E(name: string, opts: E2EOptions = {}): Promise<E2E> {
  const world = await startWorld({
    defaultRps: 40,
    logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }),
    ...opts.world,
  });
  const cp = world.controlPlane;
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const r = await cp.kubectl(args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const apply = async (manifest: string): Promise<void> => {
    await kubectl(['apply', '-f', '-'], manifest);
  };
  const controllers: ControllerProcess[] = [];
  try {
    requirePodsRunByKwok(cp);
    // Exactly what an operator installs: the namespace and the least-privilege RBAC.
    for (const file of ['namespace.yaml', 'rbac.yaml']) {
      await apply(await readFile(join(REPO, 'deploy', file), 'utf8'));
    }
    const addController = (replica: string, extraArgs: readonly string[] = []) => {
      const c = new ControllerProcess({
        kubeconfig: cp.controllerKubeconfig,
        prometheusUrl: world.prometheusUrl,
        // Always on, as in production: requirePodsRunByKwok made sure EndpointSlices exist.
        endpointGate: true,
        logFile: join(
          process.env['WEIGHTLIFTER_E2E_LOG_DIR'] ?? cp.dir,
          `controller-${replica}.log`,
        ),
        extraArgs: [...(opts.controllerArgs ?? []), ...extraArgs],
      });
      controllers.push(c);
      return c;
    };
    const controller = addController(name);
    if (opts.startController ?? true) await controller.start();
    const admin = new KubeRawClient(loadKubeConfig({ kubeconfigPath: cp.adminKubeconfig }));
    return {
      world,
      admin,
      controller,
      addController: (replica, extraArgs) => addController(`${name}-${replica}`, extraArgs),
      kubectl,
      apply,
      stop: async () => {
        await Promise.all(controllers.map((c) => c.close()));
        await world.stop();
      },
    };
  } catch (err) {
    await Promise.all(controllers.map((c) => c.close()));
    await world.stop();
    throw err;
  }
}

/**
 * E2E tests run the controller as it runs in a cluster, endpoint gate included; without pods
 * (kube-scheduler and kwok) there are no EndpointSlices and the gate could never open. Rather than
 * turn the gate off and test something else, the harness refuses to start.
 */
export function requirePodsRunByKwok(cp: Pick<ControlPlane, 'podsRunByKwok' | 'notes'>): void {
  if (cp.podsRunByKwok) return;
  const why = cp.notes.length === 0 ? 'pods are not run' : cp.notes.join('; ');
  throw new Error(
    `e2e tests need pods run by kube-scheduler and kwok, so that the endpoint gate is tested ` +
      `too (${why}): install them with \`bash hack/setup.sh\``,
  );
}

/** Polls `fn` until it returns something other than undefined; fails after the deadline. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms: ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface CanaryView {
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion: string;
    readonly finalizers?: string[];
    readonly annotations?: Record<string, string>;
  };
  readonly status?: CanaryStatus;
}

export const canaryPath = (ns: string, name: string): string =>
  `/apis/weightlifter.io/v1alpha1/namespaces/${ns}/canaries/${name}`;

export async function getCanary(e: E2E, ns: string, name: string): Promise<CanaryView> {
  return e.admin.get<CanaryView>(canaryPath(ns, name));
}

/** Waits until the Canary's status satisfies `ok`; returns that status. */
export async function waitForStatus(
  e: E2E,
  ns: string,
  name: string,
  what: string,
  ok: (s: CanaryStatus) => boolean,
  timeoutMs = 90_000,
): Promise<CanaryStatus> {
  let last: CanaryStatus | undefined;
  try {
    return await eventually(
      `${ns}/${name}: ${what}`,
      async () => {
        last = (await getCanary(e, ns, name)).status;
        return last !== undefined && ok(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`, {
      cause: err,
    });
  }
}

export const phaseIs =
  (...phases: string[]) =>
  (s: CanaryStatus): boolean =>
    phases.includes(s.phase ?? '');

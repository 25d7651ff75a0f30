// What the demo runs: the local world (control plane, Prometheus, mesh emulator serving SMI or
// Gateway API, per the demo's router) and the
// controller, in this process, as its own ServiceAccount identity under deploy/rbac.yaml — the
// least privilege an operator installs. stop() goes in dependency order: the controller first,
// while the API server it talks to still answers, then the world.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { resolveConfig } from '../../src/config/config.js';
import { loadKubeConfig } from '../../src/kube/client.js';
import { KubeRawClient } from '../../src/kube/raw-client.js';
import { buildWeb } from '../../hack/build-web.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/start.js';
import { repoRoot } from '../local/paths.js';
import { startWorld, type World } from '../local/world.js';
import type { DemoRouter } from './options.js';
import { startController, type RunningController } from '../../src/main.js';
import { createRootLogger, isLogLevel } from '../../src/telemetry/logger.js';

export interface DemoStack {
  readonly world: World;
  readonly controller: RunningController;
  /** `weightlifter dashboard` as the cluster admin, on 127.0.0.1:3100 (or any free port). */
  readonly dashboard: RunningDashboard;
  /** The cluster admin's client (the demo's own hands; the controller never uses it). */
  readonly admin: KubeRawClient;
  readonly kubectl: (args: string[], input?: string) => Promise<string>;
  /** Holds controller.log and world.log; removed by stop(). */
  readonly logDir: string;
  /** Idempotent. */
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly logLevel: string;
  /** The mesh's routing API: SMI (TrafficSplit) or Gateway API (HTTPRoute, GAMMA). */
  readonly router: DemoRouter;
  /** Told when each part is up, for the progress lines. */
  readonly onWorld?: (world: World) => void;
}

function fileLogger(path: string, level: string): Logger {
  return createRootLogger({
    level: isLogLevel(level) ? level : 'info',
    destination: pino.destination({ dest: path, sync: true, mkdir: true }),
  });
}

export async function startStack(opts: StackOptions): Promise<DemoStack> {
  const logDir = await mkdtemp(join(tmpdir(), 'weightlifter-demo-'));
  const world = await startWorld({
    meshApis: [opts.router],
    defaultRps: 40,
    // Blue/green's test traffic: the route sends a blue/green canary nothing, so a Canary with
    // `iterations` tried in the demo's cluster is measured on these requests to `<svc>-canary`.
    emulator: { canaryRps: 10 },
    logger: fileLogger(join(logDir, 'world.log'), opts.logLevel),
  }).catch(async (err: unknown) => {
    await rm(logDir, { recursive: true, force: true });
    throw err;
  });
  opts.onWorld?.(world);
  const cp = world.controlPlane;
  const admin = new KubeRawClient(loadKubeConfig({ kubeconfigPath: cp.adminKubeconfig }));
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const r = await cp.kubectl(args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  let controller: RunningController | undefined;
  let dashboard: RunningDashboard | undefined;
  const stop = async (): Promise<void> => {
    try {
      await dashboard?.stop();
      await controller?.stop();
    } finally {
      await world.stop();
      await rm(logDir, { recursive: true, force: true });
    }
  };
  try {
    for (const file of ['namespace.yaml', 'rbac.yaml']) {
      await kubectl(['apply', '-f', '-'], await readFile(join(repoRoot(), 'deploy', file), 'utf8'));
    }
    const config = resolveConfig({
      kubeconfig: cp.controllerKubeconfig,
      prometheusUrl: world.prometheusUrl,
      healthAddress: '127.0.0.1:0',
      // The demo's webhooks and Prometheus listen on loopback, blocked by default: unblocked here.
      unblockCidrs: '127.0.0.0/8',
      // Without kwok there are no pods, hence no EndpointSlices, and the gate would never open.
      endpointGate: cp.podsRunByKwok,
      logLevel: isLogLevel(opts.logLevel) ? opts.logLevel : 'info',
    });
    controller = await startController(config, {
      logger: fileLogger(join(logDir, 'controller.log'), opts.logLevel),
    });
    dashboard = await demoDashboard(
      admin,
      fileLogger(join(logDir, 'dashboard.log'), opts.logLevel),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    world,
    controller,
    dashboard,
    admin,
    kubectl,
    logDir,
    stop: () => (stopping ??= stop()),
  };
}

/** The dashboard on its default address; on any free port when another demo holds that one. */
async function demoDashboard(admin: KubeRawClient, logger: Logger): Promise<RunningDashboard> {
  await buildWeb();
  const start = (port?: number): Promise<RunningDashboard> =>
    startDashboard({
      raw: admin,
      logger,
      namespaces: [],
      contextNamespace: undefined,
      readOnly: false,
      ...(port === undefined ? {} : { address: { host: '127.0.0.1', port } }),
    });
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

// One running dashboard: the hub's watches (synced before the server answers), who may operate
// where, the front end, and the HTTP server. `weightlifter dashboard`, the demo and the tests all
// start it here.
import type { Logger } from 'pino';
import type { KubeRawClient } from '../kube/raw-client.js';
import { OperateAccess, watchedNamespaces } from './access.js';
import { DEFAULT_ASSETS_DIR, loadAssets } from './assets.js';
import { DashboardHub } from './hub.js';
import { startDashboardServer } from './server.js';

export const DEFAULT_DASHBOARD_ADDRESS = { host: '127.0.0.1', port: 3100 } as const;

export interface DashboardOptions {
  readonly raw: KubeRawClient;
  readonly logger: Logger;
  /** Namespaces given; empty: all namespaces if the identity may watch them, else `contextNamespace`. */
  readonly namespaces: readonly string[];
  readonly contextNamespace: string | undefined;
  readonly readOnly: boolean;
  readonly address?: { readonly host: string; readonly port: number };
  readonly assetsDir?: string;
  readonly now?: () => number;
  readonly syncTimeoutMs?: number;
}

export interface RunningDashboard {
  readonly url: string;
  readonly csrfToken: string;
  /** undefined: every namespace. */
  readonly namespaces: readonly string[] | undefined;
  readonly hub: DashboardHub;
  stop(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const assets = await loadAssets(opts.assetsDir ?? DEFAULT_ASSETS_DIR);
  const now = opts.now ?? Date.now;
  const namespaces = await watchedNamespaces(opts.raw, opts.namespaces, opts.contextNamespace);
  const logger = opts.logger.child({ component: 'dashboard' });
  const hub = new DashboardHub(opts.raw, namespaces, logger);
  hub.start();
  try {
    await hub.waitForSync(opts.syncTimeoutMs ?? 30_000);
    const server = await startDashboardServer(
      {
        hub,
        raw: opts.raw,
        access: new OperateAccess(opts.raw, now),
        assets,
        readOnly: opts.readOnly,
        logger,
        now,
      },
      opts.address ?? DEFAULT_DASHBOARD_ADDRESS,
    );
    return {
      url: server.url,
      csrfToken: server.csrfToken,
      namespaces,
      hub,
      stop: async () => {
        await server.close();
        await hub.stop();
      },
    };
  } catch (err) {
    await hub.stop();
    throw err;
  }
}

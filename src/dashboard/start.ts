// One running dashboard: the hub's watches (synced before the server answers), who may operate
// where, the front end, and the HTTP server. `weightlifter dashboard`, the demo and the tests all
// start it here.
import type { Logger } from 'pino';
import type { AnalysisTemplateSpec } from '../api/analysis-template.js';
import { ANALYSIS_TEMPLATE_REF, CLUSTER_ANALYSIS_TEMPLATE_REF } from '../api/resources.js';
import type { KubeRawClient } from '../kube/raw-client.js';
import { objectPath } from '../kube/resources.js';
import { MESH_QUERIES, type MeshName } from '../metrics/mesh-queries.js';
import { OperateAccess, watchedNamespaces } from './access.js';
import { DEFAULT_ASSETS_DIR, loadAssets } from './assets.js';
import { DashboardHub } from './hub.js';
import { PrometheusRangeClient } from './prometheus-range.js';
import { SeriesService, type TemplateReader } from './series.js';
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
  /** Where the server asks for the checks' series; absent: no series charts. */
  readonly prometheusUrl?: string;
  /** Whose queries chart trafficMetrics checks. @default 'linkerd' */
  readonly mesh?: MeshName;
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
  /** The query_range client, when started with a Prometheus URL. */
  readonly prometheus: PrometheusRangeClient | undefined;
  stop(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const assets = await loadAssets(opts.assetsDir ?? DEFAULT_ASSETS_DIR);
  const now = opts.now ?? Date.now;
  const namespaces = await watchedNamespaces(opts.raw, opts.namespaces, opts.contextNamespace);
  const logger = opts.logger.child({ component: 'dashboard' });
  const hub = new DashboardHub(opts.raw, namespaces, logger);
  const prometheus =
    opts.prometheusUrl === undefined ? undefined : new PrometheusRangeClient(opts.prometheusUrl);
  const series =
    prometheus === undefined
      ? undefined
      : new SeriesService({
          prometheus,
          mesh: MESH_QUERIES[opts.mesh ?? 'linkerd'],
          readTemplate: templateReader(opts.raw),
          now,
        });
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
        ...(series === undefined ? {} : { series }),
      },
      opts.address ?? DEFAULT_DASHBOARD_ADDRESS,
    );
    return {
      url: server.url,
      csrfToken: server.csrfToken,
      namespaces,
      hub,
      prometheus,
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

/** A templateRef's template, read with the dashboard's identity. */
function templateReader(raw: KubeRawClient): TemplateReader {
  return async (namespace, ref) => {
    const path =
      ref.kind === 'ClusterAnalysisTemplate'
        ? objectPath(CLUSTER_ANALYSIS_TEMPLATE_REF, undefined, ref.name)
        : objectPath(ANALYSIS_TEMPLATE_REF, namespace, ref.name);
    return (await raw.get<{ spec: AnalysisTemplateSpec }>(path)).spec;
  };
}

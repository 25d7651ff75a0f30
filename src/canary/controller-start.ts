// What every controller process of weightlifter does the same way around its Controller (the canary
// controller in src/main.ts, the SMI adapter in src/smi-adapter/run.ts): leader election on a Lease
// that arms the write fence while leading, and the start of caches, workers and health server.
import type { Logger } from 'pino';
import type { KubeConfig } from '../kube/kubeconfig.js';
import { LeaderElector, type LeaderMetricsSink } from '../kube/leader-election.js';
import { createLeaseStore } from '../kube/lease-store.js';
import { KubeRawClient, type RequestMetricsSink } from '../kube/raw-client.js';
import type { LeaderFence } from '../kube/write-fence.js';
import { startHealthServer, type HealthServer } from '../telemetry/http-server.js';
import type { Registry } from 'prom-client';
import type { Clock } from '../time/clock.js';
import type { Controller, Elector, LeaderCallbacks } from './controller.js';

/** The Lease and its timing (LeaderElectionConfig of the controller, the adapter's flags). */
export interface LeaseSettings {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface ElectorDeps {
  readonly kc: KubeConfig;
  readonly identity: string;
  readonly userAgent: string;
  /** Armed while leading: only the lease holder writes. */
  readonly fence: LeaderFence | undefined;
  readonly logger: Logger;
  readonly metrics: LeaderMetricsSink & RequestMetricsSink;
  readonly clock?: Clock;
}

/**
 * The `elector` of ControllerOptions when `lease.enabled` (spread it in): a LeaderElector on its
 * own client that arms the fence for as long as it leads.
 */
export function leaderElection(
  lease: LeaseSettings,
  d: ElectorDeps,
): { readonly elector?: (callbacks: LeaderCallbacks) => Elector } {
  if (!lease.enabled) return {};
  return {
    elector: (callbacks) => {
      // Its own client: lease writes are not fenced (a standby must acquire), and a hung
      // connection of the shared pool cannot delay a renewal.
      const leaseClient = new KubeRawClient(d.kc, { metrics: d.metrics, userAgent: d.userAgent });
      const elector: LeaderElector = new LeaderElector({
        store: createLeaseStore(leaseClient, lease.namespace, lease.name),
        logger: d.logger,
        identity: d.identity,
        metrics: d.metrics,
        ...(d.clock === undefined ? {} : { clock: d.clock }),
        ...(lease.leaseDurationMs === undefined ? {} : { leaseDurationMs: lease.leaseDurationMs }),
        ...(lease.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: lease.renewDeadlineMs }),
        ...(lease.retryPeriodMs === undefined ? {} : { retryPeriodMs: lease.retryPeriodMs }),
        onStartedLeading: (signal) => {
          d.fence?.lead(signal, () => elector.isLeader());
          callbacks.onStartedLeading(signal);
        },
        onStoppedLeading: callbacks.onStoppedLeading,
      });
      return elector;
    },
  };
}

/**
 * Starts the caches and the controller, then /healthz, /readyz (the controller's readiness) and
 * /metrics; when the server cannot listen, stops what it started and throws.
 */
export async function startWithHealth(o: {
  readonly caches: readonly { start(): void; stop(): Promise<void> }[];
  readonly controller: Controller;
  readonly health: { readonly host: string; readonly port: number };
  readonly registry: Registry;
  readonly logger: Logger;
}): Promise<HealthServer> {
  for (const cache of o.caches) cache.start();
  o.controller.start();
  try {
    return await startHealthServer({
      host: o.health.host,
      port: o.health.port,
      registry: o.registry,
      readiness: () => o.controller.readiness(),
      logger: o.logger,
    });
  } catch (err) {
    await o.controller.stop();
    await Promise.all(o.caches.map((c) => c.stop()));
    throw err;
  }
}

// What every scenario gets: the running world and controller, the fleet, and where to count.
import type { KubeRawClient } from '../src/kube/raw-client.js';
import type { QuietOn } from './audit-log.js';
import type { FleetMember } from './fleet.js';
import type { BenchOptions } from './options.js';
import type { FleetTracker } from './tracker.js';
import type { WorldPids } from './world-cpu.js';

/** The process under measurement: weightlifter (ControllerChild) or a peer (peer/). */
export interface MeasuredProcess {
  readonly pid: number | undefined;
  /** Log lines written so far. */
  readonly logLines: number;
  /**
   * weightlifter's health address, whose /metrics the bench reads at the ends of a window (never
   * in a tight loop: scraping allocates in the process measured); '' for a peer.
   */
  readonly healthUrl: string;
}

export interface BenchContext {
  readonly opts: BenchOptions;
  readonly admin: KubeRawClient;
  /** The processes measured: weightlifter's replicas (one per shard), or the peer. */
  readonly controllers: readonly MeasuredProcess[];
  /** The controller's user name as the API server authenticates it. */
  readonly controllerUser: string;
  /**
   * Which of its requests end "quiet" (quiet.ts): any for weightlifter, which sends none when idle;
   * writes of objects other than Events for a peer that polls the API on every tick by design and
   * sends its Events through the same rate-limited client (audit-log.ts, QuietOn).
   */
  readonly quietOn: QuietOn;
  readonly auditLog: string;
  readonly prometheusUrl: string;
  readonly members: readonly FleetMember[];
  readonly tracker: FleetTracker;
  /** The other busy processes: control plane, Prometheus, this process (emulator). */
  readonly worldPids: WorldPids;
  log(message: string): void;
}

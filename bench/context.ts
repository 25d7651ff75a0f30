// What every scenario gets: the running world and controller, the fleet, and where to count.
import type { KubeRawClient } from '../src/kube/raw-client.js';
import type { ControllerChild } from './controller-child.js';
import type { FleetMember } from './fleet.js';
import type { BenchOptions } from './options.js';
import type { FleetTracker } from './tracker.js';
import type { WorldPids } from './world-cpu.js';

export interface BenchContext {
  readonly opts: BenchOptions;
  readonly admin: KubeRawClient;
  readonly controller: ControllerChild;
  readonly controllerPid: number;
  /** The controller's user name as the API server authenticates it. */
  readonly controllerUser: string;
  readonly auditLog: string;
  readonly prometheusUrl: string;
  readonly members: readonly FleetMember[];
  readonly tracker: FleetTracker;
  /** The other busy processes: control plane, Prometheus, this process (emulator). */
  readonly worldPids: WorldPids;
  log(message: string): void;
}

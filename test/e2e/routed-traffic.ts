// What the mesh did with the weights: the emulator's requests through the apex, counted per
// canary weight the emulator routed by and per route object that routed them. A route written
// but not accepted (HTTPRoute) routes nothing: the apex goes to its own selector, and the counts
// say so. Sampled every 100 ms, so a few requests at a weight change may count for the weight
// before; a step lasts seconds. Failed responses (5xx) are counted from the emulator's
// exposition series by series, since a series goes when its pod does.
import type { MeshEmulator } from '../../dev/local/emulator/emulator.js';
import { APP } from './manifests.js';

export interface WeightTraffic {
  /** Requests to the primary and canary backends while the emulator routed at this weight. */
  primary: number;
  canary: number;
}

export class RoutedTraffic {
  /** Per canary weight (percent) the emulator routed the apex by; 'unrouted': by its selector. */
  readonly byWeight = new Map<number | 'unrouted', WeightTraffic>();
  /** Every route that routed the apex, as `TrafficSplit/<name>` or `HTTPRoute/<name>`. */
  readonly routedBy = new Set<string>();
  /** 5xx responses in the namespace (inbound and outbound, 503 "no endpoints" included). */
  failed = 0;
  readonly #failedSeries = new Map<string, number>();
  readonly #emulator: MeshEmulator;
  readonly #ns: string;
  #last: Readonly<Record<string, number>> = {};
  #at: number | 'unrouted' | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(emulator: MeshEmulator, ns: string) {
    this.#emulator = emulator;
    this.#ns = ns;
  }

  start(): void {
    this.#last = this.#emulator.observedSplit(this.#ns, APP);
    this.#at = this.#routedAt();
    this.#countFailures(true);
    this.#timer = setInterval(() => {
      this.#sample();
    }, 100);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
  }

  /** Canary requests counted at `weight` (0 when never routed at it). */
  canaryAt(weight: number): number {
    return this.byWeight.get(weight)?.canary ?? 0;
  }

  /** Canary requests counted at any weight, or unrouted. */
  canaryTotal(): number {
    return [...this.byWeight.values()].reduce((n, t) => n + t.canary, 0);
  }

  /**
   * The canary weight the mesh routes the apex by now: a route object's newest weights reach the
   * mesh a moment after they are written (Gateway API: once it accepts the generation).
   */
  routedAt(): number | 'unrouted' | undefined {
    return this.#routedAt();
  }

  #routedAt(): number | 'unrouted' | undefined {
    const t = this.#emulator.targets().find((x) => x.namespace === this.#ns && x.service === APP);
    if (t === undefined) return undefined;
    if (t.split === undefined && t.httpRoute === undefined) return 'unrouted';
    if (t.split !== undefined) this.routedBy.add(`TrafficSplit/${t.split}`);
    if (t.httpRoute !== undefined) this.routedBy.add(`HTTPRoute/${t.httpRoute}`);
    const weightOf = (s: string) => t.backends.find((b) => b.service === s)?.weight ?? 0;
    const primary = weightOf(`${APP}-primary`);
    const canary = weightOf(`${APP}-canary`);
    return primary + canary === 0 ? 'unrouted' : Math.round((100 * canary) / (primary + canary));
  }

  #sample(): void {
    const now = this.#emulator.observedSplit(this.#ns, APP);
    const delta = (s: string): number => {
      const n = now[s] ?? 0;
      const before = this.#last[s] ?? 0;
      return n >= before ? n - before : n; // reset by a test in between
    };
    if (this.#at !== undefined) {
      const t = this.byWeight.get(this.#at) ?? { primary: 0, canary: 0 };
      t.primary += delta(`${APP}-primary`);
      t.canary += delta(`${APP}-canary`);
      this.byWeight.set(this.#at, t);
    }
    this.#last = now;
    this.#at = this.#routedAt();
    this.#countFailures(false);
  }

  /** Adds what each 5xx series grew by since the last look; `baseline`: only remember them. */
  #countFailures(baseline: boolean): void {
    for (const line of this.#emulator.metricsText().split('\n')) {
      if (
        !line.startsWith('response_total{') ||
        !line.includes(`namespace="${this.#ns}"`) ||
        !/status_code="5\d\d"/.test(line)
      ) {
        continue;
      }
      const cut = line.lastIndexOf(' ');
      const key = line.slice(0, cut);
      const value = Number(line.slice(cut + 1));
      if (!baseline) this.failed += Math.max(0, value - (this.#failedSeries.get(key) ?? 0));
      this.#failedSeries.set(key, value);
    }
  }
}

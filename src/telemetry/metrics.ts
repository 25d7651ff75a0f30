import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsSink } from '../runtime/work-queue.js';
import type { ReconcileMetricsSink } from '../runtime/worker-pool.js';
import type { EventMetricsSink, EventOutcome } from '../kube/events.js';
import type { InformerMetricsSink, RelistReason } from '../kube/informer.js';
import type { LeaderMetricsSink } from '../kube/leader-election.js';
import type { NamedCacheMetricsSink } from '../runtime/named-cache.js';
import type { RequestMetricsSink } from '../kube/raw-client.js';
import type { StatusMetricsSink } from '../kube/status.js';

export interface ControllerMetricsOptions {
  /** @default a new Registry (tests stay isolated; nothing touches prom-client's global one) */
  readonly registry?: Registry;
  /** Process metrics (CPU, memory, event loop lag). @default true */
  readonly processMetrics?: boolean;
}

type Kind = 'done' | 'requeueAfter' | 'error';

/**
 * The controller's own Prometheus metrics. Canary series are per canary and removed by
 * forgetCanary; the phase gauge has one series per canary (value 1 for its current phase) rather
 * than one per phase, so 2,000 canaries cost 2,000 series, not 22,000.
 */
export class ControllerMetrics
  implements
    QueueMetricsSink,
    ReconcileMetricsSink,
    InformerMetricsSink,
    StatusMetricsSink,
    EventMetricsSink,
    LeaderMetricsSink,
    RequestMetricsSink,
    NamedCacheMetricsSink
{
  readonly registry: Registry;
  readonly #phase: Gauge<'namespace' | 'name' | 'phase'>;
  readonly #weight: Gauge<'namespace' | 'name'>;
  readonly #analysis: Counter<'namespace' | 'name' | 'metric' | 'result'>;
  readonly #runs: Histogram<'namespace' | 'result'>;
  readonly #reconcile: Histogram<'result'>;
  readonly #reconcileErrors: Counter;
  readonly #depth: Gauge;
  readonly #retries: Counter;
  readonly #relists: Counter<'informer' | 'reason'>;
  readonly #watchErrors: Counter<'informer'>;
  readonly #synced: Gauge<'informer'>;
  readonly #watchedNames: Gauge<'cache'>;
  readonly #status: Counter<'result'>;
  readonly #events: Counter<'outcome'>;
  readonly #leader: Gauge;
  readonly #requests: Counter<'verb' | 'code'>;
  readonly #phaseOf = new Map<string, string>();
  /** Per canary, the metric/result pairs counted, so forgetCanary can remove exactly those. */
  readonly #analysisLabels = new Map<string, Map<string, { metric: string; result: string }>>();

  constructor(opts: ControllerMetricsOptions = {}) {
    const registers = [(this.registry = opts.registry ?? new Registry())];
    if (opts.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'weightlifter_' });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.#phase = gauge(
      'weightlifter_canary_phase',
      'Current phase of each canary (1 on its phase label).',
      ['namespace', 'name', 'phase'],
    );
    this.#weight = gauge(
      'weightlifter_canary_weight',
      'Percentage of traffic routed to the canary.',
      ['namespace', 'name'],
    );
    this.#analysis = counter('weightlifter_analysis_results_total', 'Analysis check results.', [
      'namespace',
      'name',
      'metric',
      'result',
    ]);
    this.#runs = new Histogram({
      name: 'weightlifter_run_duration_seconds',
      help: 'Duration of finished canary runs, from start to Succeeded or Failed.',
      labelNames: ['namespace', 'result'],
      buckets: [30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
      registers,
    });
    this.#reconcile = new Histogram({
      name: 'weightlifter_reconcile_duration_seconds',
      help: 'Time spent in one reconcile, by outcome.',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#reconcileErrors = counter(
      'weightlifter_reconcile_errors_total',
      'Reconciles that ended in an error.',
    );
    this.#depth = gauge(
      'weightlifter_queue_depth',
      'Keys waiting in the work queue, ready to process.',
    );
    this.#retries = counter(
      'weightlifter_queue_retries_total',
      'Keys requeued with backoff after an error.',
    );
    this.#relists = counter(
      'weightlifter_informer_relists_total',
      'Informer full lists, by reason.',
      ['informer', 'reason'],
    );
    this.#watchErrors = counter(
      'weightlifter_informer_watch_errors_total',
      'Informer watches that failed.',
      ['informer'],
    );
    this.#synced = gauge(
      'weightlifter_informer_synced',
      '1 once the informer has its initial list.',
      ['informer'],
    );
    this.#watchedNames = gauge(
      'weightlifter_cache_watched_names',
      'Objects a by-name cache reads and watches (secrets: the Secrets the Canaries reference).',
      ['cache'],
    );
    this.#status = counter(
      'weightlifter_status_patches_total',
      'Status patches sent, by result (patched, conflict, error); unchanged: nothing to send (the status already agreed, or an empty patch answered by a read; a moved read counts as conflict).',
      ['result'],
    );
    this.#events = counter(
      'weightlifter_events_total',
      'Kubernetes Event recordings, by outcome.',
      ['outcome'],
    );
    this.#leader = gauge('weightlifter_leader', '1 while this replica holds the leader Lease.');
    this.#requests = counter(
      'weightlifter_kube_requests_total',
      'Kubernetes API requests (watches excluded).',
      ['verb', 'code'],
    );
  }

  setCanaryPhase(namespace: string, name: string, phase: string): void {
    const key = `${namespace}/${name}`;
    const previous = this.#phaseOf.get(key);
    if (previous === phase) return;
    if (previous !== undefined) this.#phase.remove({ namespace, name, phase: previous });
    this.#phaseOf.set(key, phase);
    this.#phase.set({ namespace, name, phase }, 1);
  }

  setCanaryWeight(namespace: string, name: string, weight: number): void {
    this.#weight.set({ namespace, name }, weight);
  }

  observeAnalysisResult(namespace: string, name: string, metric: string, result: string): void {
    this.#analysis.inc({ namespace, name, metric, result });
    const key = `${namespace}/${name}`;
    let seen = this.#analysisLabels.get(key);
    if (seen === undefined) {
      seen = new Map();
      this.#analysisLabels.set(key, seen);
    }
    seen.set(`${metric}\u0000${result}`, { metric, result });
  }

  observeRun(namespace: string, result: 'succeeded' | 'failed', seconds: number): void {
    this.#runs.observe({ namespace, result }, seconds);
  }

  /** Removes a deleted canary's series. */
  forgetCanary(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const phase = this.#phaseOf.get(key);
    if (phase !== undefined) this.#phase.remove({ namespace, name, phase });
    this.#phaseOf.delete(key);
    this.#weight.remove({ namespace, name });
    for (const labels of this.#analysisLabels.get(key)?.values() ?? []) {
      this.#analysis.remove({ namespace, name, ...labels });
    }
    this.#analysisLabels.delete(key);
  }

  setDepth(depth: number): void {
    this.#depth.set(depth);
  }

  incRetries(): void {
    this.#retries.inc();
  }

  observeReconcile(result: Kind, seconds: number): void {
    this.#reconcile.observe({ result }, seconds);
    if (result === 'error') this.#reconcileErrors.inc();
  }

  incRelist(informer: string, reason: RelistReason): void {
    this.#relists.inc({ informer, reason });
  }

  incWatchError(informer: string): void {
    this.#watchErrors.inc({ informer });
  }

  setSynced(informer: string, synced: boolean): void {
    this.#synced.set({ informer }, synced ? 1 : 0);
  }

  setWatchedNames(cache: string, count: number): void {
    this.#watchedNames.set({ cache }, count);
  }

  observeStatusPatch(result: 'patched' | 'unchanged' | 'conflict' | 'error'): void {
    this.#status.inc({ result });
  }

  incEvent(outcome: EventOutcome): void {
    this.#events.inc({ outcome });
  }

  setLeader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  observeRequest(verb: string, status: number | 'error'): void {
    this.#requests.inc({ verb, code: String(status) });
  }
}

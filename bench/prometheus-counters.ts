// Figures read from Prometheus text expositions: Prometheus's own prometheus_http_requests_total
// (PromQL queries as the server counted them, so batching is judged by what reached it) and the
// controller's process metrics.
const QUERY_HANDLERS = /handler="\/api\/v1\/(query|query_range)"/;

async function exposition(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/** Sum of the samples of `metric` whose label set matches `labels`. */
export function sumSamples(text: string, metric: string, labels: RegExp = /.*/): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (!labels.test(line.slice(metric.length, line.lastIndexOf(' ')))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function promqlQueryCount(prometheusUrl: string): Promise<number> {
  const text = await exposition(`${prometheusUrl}/metrics`);
  return sumSamples(text, 'prometheus_http_requests_total', QUERY_HANDLERS);
}

/** The controller's V8 heap in use (its /metrics), to tell heap from the rest of the RSS. */
export async function controllerHeapBytes(healthUrl: string): Promise<number> {
  const text = await exposition(`${healthUrl}/metrics`);
  return sumSamples(text, 'weightlifter_nodejs_heap_size_used_bytes');
}

export interface ReconcileCounters {
  readonly reconciles: number;
  readonly reconcileSeconds: number;
  readonly queueDepth: number;
}

/** The controller's own view of its work queue (its /metrics). */
export async function reconcileCounters(healthUrl: string): Promise<ReconcileCounters> {
  const text = await exposition(`${healthUrl}/metrics`);
  return {
    reconciles: sumSamples(text, 'weightlifter_reconcile_duration_seconds_count'),
    reconcileSeconds: sumSamples(text, 'weightlifter_reconcile_duration_seconds_sum'),
    queueDepth: sumSamples(text, 'weightlifter_queue_depth'),
  };
}

/** Several replicas' counters as one controller's: every figure summed (queue depths too). */
export function sumCounters(all: readonly ReconcileCounters[]): ReconcileCounters {
  return all.reduce(
    (a, c) => ({
      reconciles: a.reconciles + c.reconciles,
      reconcileSeconds: a.reconcileSeconds + c.reconcileSeconds,
      queueDepth: a.queueDepth + c.queueDepth,
    }),
    { reconciles: 0, reconcileSeconds: 0, queueDepth: 0 },
  );
}

// In-memory implementations of our own interfaces (QueryExecutor, KubeGetTransport) and a log
// sink, for unit tests. Nothing here imitates Prometheus's or Kubernetes' HTTP APIs.
import { pino, type Logger } from 'pino';
import type { PrometheusEndpoint, QueryExecutor, Sample } from '../../../src/metrics/executor.js';
import type { KubeGetResponse, KubeGetTransport } from '../../../src/metrics/kube-transport.js';

export type Answer = (query: string, endpoint: PrometheusEndpoint) => readonly Sample[];

export class FakeExecutor implements QueryExecutor {
  /** Every query, with its evaluation time (`at`, epoch ms; undefined: now). */
  readonly queries: { endpoint: PrometheusEndpoint; query: string; at: number | undefined }[] = [];
  answer: Answer;

  constructor(answer: Answer = () => []) {
    this.answer = answer;
  }

  instant(endpoint: PrometheusEndpoint, query: string, at?: number): Promise<readonly Sample[]> {
    this.queries.push({ endpoint, query, at });
    try {
      return Promise.resolve(this.answer(query, endpoint));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** The target names a batched query selects: the alternatives of its `=~"(?:a|b)"` matcher. */
export function targetsIn(query: string): string[] {
  const match = /=~"\(\?:([^)]*)\)/.exec(query);
  if (match?.[1] === undefined) return [];
  return match[1].split('|').map((t) => t.replace(/\\\\/g, ''));
}

/** An answer with one sample per selected target, from a table of values. */
export function perTarget(
  label: string,
  values: Readonly<Record<string, number>>,
  extra: Record<string, string> = {},
): Answer {
  return (query) =>
    targetsIn(query)
      .filter((t) => t in values)
      .map((t) => ({ labels: { [label]: t, ...extra }, value: values[t] ?? Number.NaN }));
}

export class FakeKube implements KubeGetTransport {
  readonly calls: { path: string; query: Readonly<Record<string, string>> }[] = [];
  readonly routes = new Map<string, KubeGetResponse>();

  get(path: string, query: Readonly<Record<string, string>> = {}): Promise<KubeGetResponse> {
    this.calls.push({ path, query });
    return Promise.resolve(this.routes.get(path) ?? { status: 404, body: '404 page not found' });
  }
}

export interface LogSink {
  readonly logger: Logger;
  readonly records: Record<string, unknown>[];
}

export function logSink(): LogSink {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

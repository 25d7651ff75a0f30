// The dashboard's one outbound call: Prometheus's query_range, sent by the server (never the
// browser) and only to the --prometheus-url the operator passed. This is the user's CLI tool, not
// the controller, so the controller's outbound URL policy does not apply to it.
import type { Sample } from '../metrics/executor.js';

/** One series of a range answer: its labels and its points (epoch seconds, value). */
export interface RangeSeries {
  readonly labels: Sample['labels'];
  readonly points: readonly (readonly [number, number])[];
}

/** The seam the series service depends on; unit tests use an in-memory one. */
export interface RangeQuery {
  /** Throws an Error whose message is fit for the page. */
  range(query: string, startS: number, endS: number, stepS: number): Promise<RangeSeries[]>;
}

interface RangeAnswer {
  status?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: { metric?: Record<string, string>; values?: [number, string][] }[];
  };
}

export class PrometheusRangeClient implements RangeQuery {
  #sent = 0;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** query_range requests sent so far. */
  get queriesSent(): number {
    return this.#sent;
  }

  async range(query: string, startS: number, endS: number, stepS: number): Promise<RangeSeries[]> {
    this.#sent += 1;
    const endpoint = `${this.url.replace(/\/+$/, '')}/api/v1/query_range`;
    const body = new URLSearchParams({
      query,
      start: String(startS),
      end: String(endS),
      step: String(stepS),
    });
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const why = cause instanceof Error ? (cause.cause ?? cause) : cause;
      throw new Error(
        `Prometheus at ${this.url} unreachable: ${why instanceof Error ? why.message : String(why)}`,
        { cause },
      );
    }
    const text = await res.text();
    let answer: RangeAnswer;
    try {
      answer = JSON.parse(text) as RangeAnswer;
    } catch (cause) {
      throw new Error(`Prometheus at ${this.url} answered HTTP ${res.status}, not JSON`, { cause });
    }
    if (!res.ok || answer.status !== 'success' || answer.data?.resultType !== 'matrix') {
      throw new Error(
        `Prometheus at ${this.url} refused the query (HTTP ${res.status}): ${answer.error ?? answer.data?.resultType ?? 'no data'}`,
      );
    }
    return (answer.data.result ?? []).map((r) => ({
      labels: r.metric ?? {},
      points: (r.values ?? []).map(([t, v]) => [t, Number(v)] as const),
    }));
  }
}

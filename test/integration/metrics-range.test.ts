// PrometheusQueryExecutor.range (compare checks' series) against a REAL Prometheus: the points of
// a range query, +Inf read as Infinity (not NaN, which would drop the point as "no data"), and a
// failing query as a MetricsError.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '../../dev/local/ports.js';
import { startPrometheus, type Prometheus } from '../../dev/local/prometheus.js';
import { MetricsError } from '../../src/metrics/errors.js';
import { PrometheusQueryExecutor } from '../../src/metrics/prometheus-executor.js';

jest.setTimeout(60_000);

let prom: Prometheus;

beforeAll(async () => {
  // Nothing to scrape: these queries need no stored data.
  prom = await startPrometheus({ targets: [`127.0.0.1:${String(await freePort())}`] });
});

afterAll(async () => {
  await prom.stop();
});

describe('PrometheusQueryExecutor.range', () => {
  const end = Math.floor(Date.now() / 1000) * 1000;
  const range = { start: end - 8_000, end, stepMs: 2_000 };

  it('answers one series with a point per step, start and end included', async () => {
    const executor = new PrometheusQueryExecutor();
    const series = await executor.range({ address: prom.url }, 'vector(7)', range);
    expect(series).toEqual([{ labels: {}, values: [7, 7, 7, 7, 7] }]);
    expect(executor.queriesSent).toBe(1);
  });

  it('reads +Inf and -Inf points as infinities', async () => {
    const executor = new PrometheusQueryExecutor();
    const [inf] = await executor.range({ address: prom.url }, 'vector(1/0)', range);
    const [negInf] = await executor.range({ address: prom.url }, 'vector(-1/0)', range);
    expect(inf?.values).toEqual(Array(5).fill(Number.POSITIVE_INFINITY));
    expect(negInf?.values).toEqual(Array(5).fill(Number.NEGATIVE_INFINITY));
  });

  it('answers no series for a selector without data', async () => {
    const executor = new PrometheusQueryExecutor();
    expect(await executor.range({ address: prom.url }, 'no_such_metric', range)).toEqual([]);
  });

  it('throws a MetricsError for a query Prometheus refuses', async () => {
    const executor = new PrometheusQueryExecutor();
    await expect(executor.range({ address: prom.url }, 'sum(', range)).rejects.toBeInstanceOf(
      MetricsError,
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import type { NoDataPolicy } from '../../../src/api/constants.js';
import {
  evaluateMeasurement,
  type Criteria,
  type Measurement,
  type MetricCheckResult,
} from '../../../src/analysis/evaluate.js';
import { describeProblems, tickOutcome } from '../../../src/analysis/outcome.js';

const successRate: Criteria = {
  metric: 'success-rate',
  thresholdRange: { min: 99 },
  noData: 'inconclusive',
  minRequests: 20,
};
const latency: Criteria = {
  metric: 'latency',
  thresholdRange: { max: 500 },
  noData: 'fail',
  minRequests: 0,
};
const band: Criteria = {
  metric: 'band',
  thresholdRange: { min: 1, max: 2 },
  noData: 'pass',
  minRequests: 0,
};

describe('threshold evaluation', () => {
  it.each<[string, Criteria, Measurement, string]>([
    ['above min', successRate, { kind: 'value', value: 99.7, requests: 100 }, 'Successful'],
    ['exactly min', successRate, { kind: 'value', value: 99, requests: 100 }, 'Successful'],
    ['below min', successRate, { kind: 'value', value: 98.69, requests: 100 }, 'Failed'],
    ['below max', latency, { kind: 'value', value: 120 }, 'Successful'],
    ['exactly max', latency, { kind: 'value', value: 500 }, 'Successful'],
    ['above max', latency, { kind: 'value', value: 501 }, 'Failed'],
    ['+Inf latency', latency, { kind: 'value', value: Number.POSITIVE_INFINITY }, 'Failed'],
    ['inside band', band, { kind: 'value', value: 1.5 }, 'Successful'],
    ['under band', band, { kind: 'value', value: 0.5 }, 'Failed'],
    ['over band', band, { kind: 'value', value: 2.5 }, 'Failed'],
    [
      'no range records only',
      { ...latency, thresholdRange: {} },
      { kind: 'value', value: 1e9 },
      'Successful',
    ],
  ])('%s -> %s', (_name, criteria, measurement, expected) => {
    expect(evaluateMeasurement(measurement, criteria).result).toBe(expected);
  });

  it('keeps the value and its request count and explains a failure', () => {
    expect(evaluateMeasurement({ kind: 'value', value: 98.5, requests: 50 }, successRate)).toEqual({
      metric: 'success-rate',
      result: 'Failed',
      value: 98.5,
      requests: 50,
      message: '98.5 < min 99',
    });
    expect(evaluateMeasurement({ kind: 'value', value: 98.5 }, successRate)).not.toHaveProperty(
      'requests',
    );
  });
});

describe('noData and minRequests', () => {
  const policies: [NoDataPolicy, string][] = [
    ['fail', 'Failed'],
    ['inconclusive', 'Inconclusive'],
    ['pass', 'Successful'],
  ];
  const noDataCases: [string, Measurement][] = [
    ['empty result', { kind: 'noData' }],
    ['NaN', { kind: 'value', value: Number.NaN }],
    ['zero requests', { kind: 'value', value: 100, requests: 0 }],
  ];
  for (const [policy, expected] of policies) {
    it.each(noDataCases)(`%s with noData=${policy} -> ${expected}`, (_name, m) => {
      expect(evaluateMeasurement(m, { ...successRate, noData: policy }).result).toBe(expected);
    });
  }

  it('is inconclusive below minRequests even with a good value, whatever the noData policy', () => {
    for (const [policy] of policies) {
      const r = evaluateMeasurement(
        { kind: 'value', value: 100, requests: 19 },
        { ...successRate, noData: policy },
      );
      expect(r).toMatchObject({ result: 'Inconclusive', message: '19 requests < minRequests 20' });
    }
  });

  it('is inconclusive below minRequests even with a bad value', () => {
    expect(evaluateMeasurement({ kind: 'value', value: 10, requests: 5 }, successRate).result).toBe(
      'Inconclusive',
    );
  });

  it('applies the threshold from minRequests on', () => {
    expect(
      evaluateMeasurement({ kind: 'value', value: 10, requests: 20 }, successRate).result,
    ).toBe('Failed');
  });

  it('ignores minRequests when the source reports no request count', () => {
    expect(evaluateMeasurement({ kind: 'value', value: 99.5 }, successRate).result).toBe(
      'Successful',
    );
  });

  it('turns a query failure into an Error value carrying the cause', () => {
    const error = new Error('connection refused');
    expect(evaluateMeasurement({ kind: 'error', error }, successRate)).toEqual({
      metric: 'success-rate',
      result: 'Error',
      message: 'connection refused',
      error,
    });
  });
});

describe('tick outcome', () => {
  const r = (result: MetricCheckResult['result']): MetricCheckResult => ({
    metric: result,
    result,
    message: 'm',
  });
  it.each<[MetricCheckResult[], string]>([
    [[], 'Successful'],
    [[r('Successful'), r('Successful')], 'Successful'],
    [[r('Successful'), r('Inconclusive')], 'Inconclusive'],
    [[r('Inconclusive'), r('Failed')], 'Failed'],
    [[r('Successful'), r('Error')], 'Error'],
    [[r('Inconclusive'), r('Error')], 'Error'],
    [[r('Error'), r('Failed')], 'Failed'],
  ])('%j -> %s', (results, expected) => {
    expect(tickOutcome(results)).toBe(expected);
  });

  it('describes what held the run', () => {
    expect(describeProblems([r('Successful'), r('Failed'), r('Inconclusive')])).toBe(
      'Failed Failed: m; Inconclusive Inconclusive: m',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { METRICS_ERROR_REASONS, MetricsError } from '../../../src/metrics/errors.js';
import { NAN_SENTINEL, parseQuantity } from '../../../src/metrics/quantity.js';

describe('Kubernetes Quantity parsing', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['9', 9],
    ['987m', 0.987],
    ['48750m', 48.75],
    ['1496250m', 1496.25],
    ['73492m', 73.492],
    ['1500k', 1_500_000],
    ['1M', 1_000_000],
    ['2G', 2_000_000_000],
    ['3T', 3e12],
    ['1Ki', 1024],
    ['1Mi', 1_048_576],
    ['1Gi', 1_073_741_824],
    ['1.5Gi', 1_610_612_736],
    ['2e3', 2000],
    ['2E3', 2000],
    ['1.5e-3', 0.0015],
    ['5e+2', 500],
    ['-5', -5],
    ['-987m', -0.987],
    ['+12', 12],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['100u', 0.0001],
    ['250n', 2.5e-7],
    ['1E', 1e18],
  ])('%s = %d', (text, expected) => {
    const parsed = parseQuantity(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value).toBeCloseTo(expected, 12);
  });

  it('reads the smi-metrics NaN sentinel as NaN', () => {
    expect(NAN_SENTINEL).toBe('-9223372036854775808m');
    const parsed = parseQuantity('-9223372036854775808m');
    expect(parsed.ok && Number.isNaN(parsed.value)).toBe(true);
  });

  it('reads int64-sized values to double precision', () => {
    const parsed = parseQuantity('9223372036854775807');
    expect(parsed.ok && parsed.value).toBe(2 ** 63);
  });

  it.each([
    '',
    'abc',
    '1.2.3',
    '1KiB',
    '1ki',
    '1 m',
    'm',
    '--1',
    '1e',
    '1e1.5',
    'NaN',
    'Infinity',
    '0x10',
    '1mm',
  ])('rejects %j with a typed, coded error', (text) => {
    const parsed = parseQuantity(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toBeInstanceOf(MetricsError);
    expect(parsed.error.code).toBe('WL_METRICS_QUERY_FAILED');
    expect(parsed.error.reason).toBe(METRICS_ERROR_REASONS.invalidQuantity);
    expect(parsed.error.message).toContain(JSON.stringify(text));
  });

  it('rejects an exponent so large the value is not finite', () => {
    expect(parseQuantity('1e400').ok).toBe(false);
  });
});

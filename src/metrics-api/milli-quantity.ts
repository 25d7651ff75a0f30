// Kubernetes Quantity strings as smi-metrics writes every TrafficMetrics value:
// `resource.NewMilliQuantity(int64(v*1000), DecimalSI).String()`. The Go canonical form strips
// trailing zeros of the milli integer into the exponent, floors the exponent to a multiple of 3
// and spells it as an SI suffix: 987.6 ms -> "987600m", 48.75 -> "48750m", 9 -> "9",
// 1 500 000 -> "1500k", 0 -> "0". Parsing is src/metrics/quantity.ts (the client); a unit test
// round-trips the two.

/** NaN as Go's int64(NaN*1000) on amd64 prints it (int64 min); the client reads it as NaN. */
export const NAN_QUANTITY = '-9223372036854775808m';

/**
 * +Inf (a quantile beyond the last finite bucket). Go's conversion would print the NaN sentinel,
 * which readers take as "no data"; int64 max says "too slow", so a latency gate fails as it should.
 */
export const INF_QUANTITY = '9223372036854775807m';

const INT64_MAX = 2n ** 63n - 1n;
const SUFFIX: Readonly<Record<number, string>> = {
  [-9]: 'n',
  [-6]: 'u',
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};

export function formatMilliQuantity(value: number): string {
  if (Number.isNaN(value)) return NAN_QUANTITY;
  // Go truncates toward zero when converting the float to int64.
  const milli = Math.trunc(value * 1000);
  if (!Number.isFinite(milli) || Math.abs(milli) > Number(INT64_MAX)) {
    return milli > 0 ? INF_QUANTITY : NAN_QUANTITY;
  }
  let mantissa = BigInt(milli);
  if (mantissa === 0n) return '0';
  let exponent = -3;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  // Floor the exponent to a multiple of 3 (Go: exponent % 3 in {1,-2} -> x10, {2,-1} -> x100).
  const rest = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(rest);
  exponent -= rest;
  return `${mantissa.toString()}${SUFFIX[exponent] ?? `e${exponent}`}`;
}

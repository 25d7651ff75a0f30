// TrafficSplit weights as HTTPRoute weights. SMI weights are relative, and v1alpha1's are
// Kubernetes Quantities ("500m", "1"); with conversion None a Quantity string can arrive under any
// served version, so every version's weights are read as Quantities. HTTPRoute weights are
// relative integers (0..1,000,000): the exact fractions are brought to one denominator and divided
// by their greatest common divisor, so the ratio is the same, not rounded ("500m"/"1" -> 1/2).
import { exactQuantity, type Fraction } from '../kube/quantity.js';

/** Gateway API's largest backendRef weight. */
export const MAX_ROUTE_WEIGHT = 1_000_000;

export type IntegerWeights =
  | { readonly ok: true; readonly weights: readonly number[] }
  | { readonly ok: false; readonly message: string };

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** Integers with exactly the ratios of `values` (Quantities); zero stays zero. */
export function integerWeights(values: readonly unknown[]): IntegerWeights {
  const fractions: Fraction[] = [];
  for (const [i, v] of values.entries()) {
    const q = exactQuantity(v);
    if (q === undefined) {
      return { ok: false, message: `backends[${i}].weight ${JSON.stringify(v)} is not a quantity` };
    }
    if (q.num < 0n) return { ok: false, message: `backends[${i}].weight ${String(v)} is negative` };
    fractions.push(q);
  }
  const den = fractions.reduce((l, f) => (l * f.den) / gcd(l, f.den), 1n);
  const scaled = fractions.map((f) => (f.num * den) / f.den);
  const divisor = scaled.reduce((g, n) => gcd(g, n), 0n);
  if (divisor === 0n) {
    return { ok: false, message: 'every backend has weight 0: the split routes no traffic' };
  }
  const weights = scaled.map((n) => n / divisor);
  const largest = weights.reduce((m, n) => (n > m ? n : m), 0n);
  if (largest > BigInt(MAX_ROUTE_WEIGHT)) {
    return {
      ok: false,
      message:
        `the weights' exact ratio needs integers up to ${String(largest)}, above HTTPRoute's ` +
        `maximum weight ${MAX_ROUTE_WEIGHT}; it is not rounded`,
    };
  }
  return { ok: true, weights: weights.map(Number) };
}

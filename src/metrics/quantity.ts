// Kubernetes resource.Quantity strings as the SMI TrafficMetrics API sends them: smi-metrics stores
// every sample as a milli-quantity, so "987m" = 0.987, "48750m" = 48.75, large values carry SI
// suffixes ("1500k"), and a NaN from histogram_quantile comes out as the int64 minimum in milli
// units. The grammar is kube/quantity.ts's; this adds the NaN sentinel and a MetricsError.
import { parseQuantity as quantityNumber } from '../kube/quantity.js';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';

export type QuantityResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly error: MetricsError };

/** What smi-metrics renders for NaN: int64 min as a milli-quantity. Parsed as NaN (= no data). */
export const NAN_SENTINEL = '-9223372036854775808m';

function invalid(text: string): QuantityResult {
  const message = `invalid Kubernetes quantity "${text}"`;
  return {
    ok: false,
    error: new MetricsError(METRICS_ERROR_REASONS.invalidQuantity, message, {
      details: { quantity: text },
    }),
  };
}

export function parseQuantity(text: string): QuantityResult {
  if (text === NAN_SENTINEL) return { ok: true, value: Number.NaN };
  const value = quantityNumber(text);
  return value === undefined ? invalid(text) : { ok: true, value };
}

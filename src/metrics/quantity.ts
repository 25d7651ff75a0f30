// Kubernetes resource.Quantity strings as the SMI TrafficMetrics API sends them: smi-metrics stores
// every sample as a milli-quantity, so "987m" = 0.987, "48750m" = 48.75, large values carry SI
// suffixes ("1500k"), and a NaN from histogram_quantile comes out as the int64 minimum in milli
// units. Grammar (apimachinery quantity.go):
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei | n|u|m|""|k|M|G|T|P|E | (e|E)<sign>?<digits>
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';

export type QuantityResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly error: MetricsError };

/** What smi-metrics renders for NaN: int64 min as a milli-quantity. Parsed as NaN (= no data). */
export const NAN_SENTINEL = '-9223372036854775808m';

const DECIMAL_EXPONENT = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWER = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

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
  const match = QUANTITY.exec(text);
  if (match === null) return invalid(text);
  const [, sign = '', number = '', suffix = ''] = match;
  let value: number;
  if (suffix in BINARY_POWER) {
    value = Number(number) * 2 ** BINARY_POWER[suffix as keyof typeof BINARY_POWER];
  } else {
    const exponent =
      suffix.length > 1 && (suffix.startsWith('e') || suffix.startsWith('E'))
        ? Number(suffix.slice(1))
        : DECIMAL_EXPONENT[suffix as keyof typeof DECIMAL_EXPONENT];
    // Through the decimal string, so "987m" is exactly the double nearest 0.987.
    value = Number(`${number}e${exponent}`);
  }
  if (!Number.isFinite(value)) return invalid(text);
  return { ok: true, value: sign === '-' && value !== 0 ? -value : value };
}

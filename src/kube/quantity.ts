// Kubernetes resource.Quantity parsing, the one parser of the project: TrafficSplit v1alpha1 weights
// ("900m", "1", "5", or a bare JSON number; every mesh's TrafficSplit CRD uses conversion None, so a
// split written under v1alpha1 reads back with Quantity strings under any version), SMI
// TrafficMetrics values (metrics/quantity.ts) and the emulator's weights. Values are exact
// fractions: weights are compared as ratios, and 899/101 must not read as 90/10. Callers wrap
// `undefined` in their own error. Grammar (apimachinery quantity.go):
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei | n|u|m|""|k|M|G|T|P|E | (e|E)<sign>?<digits>

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_EXPONENT: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

/** Decimal exponents beyond this are not weights anyone writes (and would cost bigint work). */
const MAX_EXPONENT = 64;

/** num/den, den > 0. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

/** The exact value of a Quantity (string or JSON number); undefined when it is not one. */
export function exactQuantity(value: unknown): Fraction | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value).replace('e+', 'e'); // the shortest decimal that reads back as `value`
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix] = m;
  if (whole === '' && fraction === '') return undefined;
  let num = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(fraction.length);
  const binary = suffix === undefined ? undefined : BINARY_EXPONENT[suffix];
  if (binary !== undefined) return { num: num * 2n ** BigInt(binary), den };
  const exponent = suffix === undefined ? 0 : (DECIMAL_EXPONENT[suffix] ?? Number(suffix.slice(1)));
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den *= 10n ** BigInt(-exponent);
  return { num, den };
}

/** The numeric value of a Quantity (string or JSON number); undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  const q = exactQuantity(value);
  if (q === undefined) return undefined;
  const n = Number(q.num) / Number(q.den);
  return Number.isFinite(n) ? n : undefined;
}

/** Whether two fractions are the same number. */
export const sameFraction = (a: Fraction, b: Fraction): boolean => a.num * b.den === b.num * a.den;

import { WORLD_ERROR_CODES, WorldError } from './errors.js';

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY_SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * The numeric value of a Kubernetes resource.Quantity as it appears in JSON: a number (v1alpha2+
 * TrafficSplit weights, or v1alpha1 written as a plain integer) or a string such as "900m", "1",
 * "1.5k", "1e3" (v1alpha1 weights are Quantities). Float precision is ample for traffic weights.
 */
export function quantityValue(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'string') {
    const m = QUANTITY.exec(value.trim());
    if (m !== null) {
      const base = Number(m[1]);
      if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
      const suffix = m[3] ?? '';
      const factor = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix];
      if (factor !== undefined) return base * factor;
    }
  }
  throw new WorldError(
    WORLD_ERROR_CODES.BAD_QUANTITY,
    `not a Kubernetes quantity: ${JSON.stringify(value)}`,
    { details: { value } },
  );
}

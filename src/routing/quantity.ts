// Kubernetes Quantity parsing, for TrafficSplit v1alpha1 weights ("900m", "1", "5", or a bare JSON
// number). Because every mesh's TrafficSplit CRD uses conversion None, a split written under
// v1alpha1 reads back with Quantity strings under any version, so every router decodes with this.

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The numeric value of a Quantity (string or JSON number); undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY.exec(value.trim());
  if (m === null) return undefined;
  const [, num = '', suffix] = m;
  const base = Number(num);
  if (suffix === undefined) return base;
  const scale = SUFFIX[suffix];
  // Decimal exponent form ("1e3"): Number understands it directly.
  const n = scale === undefined ? Number(`${num}${suffix}`) : base * scale;
  return Number.isFinite(n) ? n : undefined;
}

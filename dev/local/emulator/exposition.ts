/**
 * A minimal Prometheus text-format registry built for volume: every series keeps its rendered
 * label string, counters and histograms are plain numbers and typed arrays, and series are grouped
 * by an owner (an emulated pod, a workload) so a pod that goes away drops all its series at once.
 * prom-client would do, but its per-label-set lookups and string building on every scrape cost too
 * much with tens of thousands of series scraped every second.
 */
export type Labels = Readonly<Record<string, string>>;

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="x",b="y"` in the given key order (callers pass a fixed order: stable output, cheap). */
export function renderLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(',');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

export class Counter {
  value = 0;
  constructor(readonly labelText: string) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class Histogram {
  /** Non-cumulative counts per bucket; the last slot is the +Inf overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** `name_bucket{labels,le="b"} ` per bucket, built at the first render and reused. */
  bucketPrefixes: string[] | undefined;
  constructor(
    readonly labelText: string,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records `weight` observations of value `v` (bulk recording of a sampled batch). */
  observe(v: number, weight = 1): void {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length; // b.length = the +Inf slot
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= (b[mid] ?? Infinity)) hi = mid;
      else lo = mid + 1;
    }
    this.counts[lo] = (this.counts[lo] ?? 0) + weight;
    this.sum += v * weight;
    this.count += weight;
  }
}

type Series = Counter | Histogram;

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'histogram';
  readonly help: string;
  readonly bounds: readonly number[];
  readonly boundText: readonly string[];
  readonly series: Map<string, Series>;
}

function bucketPrefixes(f: Family, labelText: string): string[] {
  const sep = labelText === '' ? '' : ',';
  const les = [...f.boundText, '+Inf'];
  return les.map((le) => `${f.name}_bucket{${labelText}${sep}le="${le}"} `);
}

export class MetricRegistry {
  readonly #families = new Map<string, Family>();
  readonly #byOwner = new Map<string, Set<{ family: Family; key: string }>>();

  /** Declares a family; series are created on first use (only label sets that occurred exist). */
  define(
    name: string,
    type: 'counter' | 'histogram',
    help: string,
    bounds: readonly number[] = [],
  ) {
    this.#families.set(name, {
      name,
      type,
      help,
      bounds,
      boundText: bounds.map(formatNumber),
      series: new Map(),
    });
  }

  counter(name: string, owner: string, labels: Labels): Counter {
    return this.#series(name, owner, labels, 'counter') as Counter;
  }

  histogram(name: string, owner: string, labels: Labels): Histogram {
    return this.#series(name, owner, labels, 'histogram') as Histogram;
  }

  /** Drops every series of an owner, e.g. an emulated pod that is gone. */
  removeOwner(owner: string): void {
    const entries = this.#byOwner.get(owner);
    if (entries === undefined) return;
    for (const { family, key } of entries) family.series.delete(key);
    this.#byOwner.delete(owner);
  }

  owners(): string[] {
    return [...this.#byOwner.keys()];
  }

  get seriesCount(): number {
    let n = 0;
    for (const f of this.#families.values()) n += f.series.size;
    return n;
  }

  #series(name: string, owner: string, labels: Labels, type: Family['type']): Series {
    const family = this.#families.get(name);
    if (family?.type !== type) throw new TypeError(`no ${type} family ${name}`);
    const labelText = renderLabels(labels);
    const existing = family.series.get(labelText);
    if (existing !== undefined) return existing;
    const created =
      type === 'counter' ? new Counter(labelText) : new Histogram(labelText, family.bounds);
    family.series.set(labelText, created);
    let owned = this.#byOwner.get(owner);
    if (owned === undefined) {
      owned = new Set();
      this.#byOwner.set(owner, owned);
    }
    owned.add({ family, key: labelText });
    return created;
  }

  /** The text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) {
      if (f.series.size === 0) continue;
      out.push(`# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`);
      for (const s of f.series.values()) {
        if (s instanceof Counter) {
          out.push(`${f.name}{${s.labelText}} ${formatNumber(s.value)}\n`);
          continue;
        }
        const prefixes = (s.bucketPrefixes ??= bucketPrefixes(f, s.labelText));
        let cumulative = 0;
        for (let i = 0; i < prefixes.length; i++) {
          cumulative += s.counts[i] ?? 0;
          out.push(`${prefixes[i] ?? ''}${cumulative}\n`);
        }
        out.push(`${f.name}_sum{${s.labelText}} ${formatNumber(s.sum)}\n`);
        out.push(`${f.name}_count{${s.labelText}} ${s.count}\n`);
      }
    }
    return out.join('');
  }
}

// `npm ci` runs on the lowest Node that package.json's devEngines.runtime allows (the project's own
// Node 22 comes from the `node` package it installs). Every package it installs must accept that
// Node in its engines.node, or npm prints an EBADENGINE warning on a fresh machine (issue 13: Node
// versions are declared consistently). A dependency that raises its floor fails here, not there.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

type Version = readonly [number, number, number];

/** The numeric parts given ("20" → [20], "1.x" → [1], "*" → []). */
function parts(text: string): number[] {
  const out: number[] = [];
  for (const p of text.replace(/^v/, '').split(/[-+]/)[0]?.split('.') ?? []) {
    if (!/^\d+$/.test(p)) break;
    out.push(Number(p));
  }
  return out.slice(0, 3);
}

const pad = (p: readonly number[]): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];

/** The smallest version above every version the partial `p` names (bumps part `at`). */
const bump = (p: readonly number[], at = p.length - 1): Version =>
  pad([...p.slice(0, at), (p[at] ?? 0) + 1]);

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** One comparator (`>=20.19.0`, `^18`, `20.x`, `*`), by node-semver's rules for releases. */
function admits(v: Version, comparator: string): boolean {
  const m = /^(<=|>=|<|>|=|\^|~>?)?(.*)$/.exec(comparator);
  const op = m?.[1] ?? '';
  const p = parts(m?.[2] ?? '');
  if (p.length === 0) return !op.startsWith('<') && op !== '>';
  const lo = pad(p);
  const full = p.length === 3;
  switch (op) {
    case '>=':
      return compare(v, lo) >= 0;
    case '>':
      return full ? compare(v, lo) > 0 : compare(v, bump(p)) >= 0;
    case '<':
      return compare(v, lo) < 0;
    case '<=':
      return full ? compare(v, lo) <= 0 : compare(v, bump(p)) < 0;
    case '^': {
      const nonzero = p.findIndex((n) => n !== 0);
      const hi = bump(p, nonzero < 0 ? p.length - 1 : nonzero);
      return compare(v, lo) >= 0 && compare(v, hi) < 0;
    }
    case '~':
    case '~>':
      return compare(v, lo) >= 0 && compare(v, bump(p, p.length >= 2 ? 1 : 0)) < 0;
    default:
      return full ? compare(v, lo) === 0 : compare(v, lo) >= 0 && compare(v, bump(p)) < 0;
  }
}

export function satisfies(version: string, range: string): boolean {
  const v = pad(parts(version));
  return range.split('||').some((set) => {
    const s = set.trim().replace(/(<=|>=|<|>|=|\^|~>?)\s+/g, '$1');
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(s);
    const comparators = hyphen
      ? [`>=${hyphen[1] ?? ''}`, `<=${hyphen[2] ?? ''}`]
      : s.split(/\s+/).filter((c) => c !== '');
    return comparators.every((c) => admits(v, c));
  });
}

/** The lowest version a `>=X` / `^X` / `X` style range admits. */
export function lowestOf(range: string): string {
  const lows = range.split('||').map((set) => {
    const first = set.trim().replace(/^(>=|\^|~|=)\s*/, '');
    if (/^[<>]/.test(first)) throw new Error(`no lowest version in "${range}"`);
    return pad(parts(first));
  });
  const lowest = lows.sort(compare)[0];
  if (lowest === undefined) throw new Error(`empty range "${range}"`);
  return lowest.join('.');
}

describe('the range check', () => {
  it.each([
    ['20.19.0', '>=22.19', false],
    ['22.19.0', '>=22.19', true],
    ['20.19.0', '^20.19.0 || ^22.13.0 || >=24', true],
    ['20.18.9', '^20.19.0 || ^22.13.0 || >=24', false],
    ['21.0.0', '^20.19.0 || ^22.13.0 || >=24', false],
    ['20.19.0', '>= 20.16.0', true],
    ['20.19.0', '18 || 20 || >=22', true],
    ['19.9.0', '18 || 20 || >=22', false],
    ['20.19.0', '6.* || 8.* || >= 10.*', true],
    ['20.19.0', '>=16 || 14 >=14.17', true],
    ['14.16.0', '>=16 || 14 >=14.17', false],
    ['20.19.0', '^12.22.0 || ^14.17.0 || >=16.0.0', true],
    ['20.19.0', '~20.18.0', false],
    ['20.19.0', '18.0.0 - 20.20.0', true],
    ['20.19.0', '<20', false],
    ['20.19.0', '>20.18', true],
    ['20.19.0', '*', true],
  ])('%s in "%s": %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('finds the lowest version of a range', () => {
    expect(lowestOf('>=20.19')).toBe('20.19.0');
    expect(lowestOf('^22.13.0 || >=20.19')).toBe('20.19.0');
  });
});

describe('Node engines', () => {
  const pkg = read('package.json') as {
    devEngines: { runtime: { name: string; version: string } };
  };
  const lock = read('package-lock.json') as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const lowest = lowestOf(pkg.devEngines.runtime.version);

  it('npm runs on a Node that every locked package accepts', () => {
    expect(pkg.devEngines.runtime.name).toBe('node');
    const refused = Object.entries(lock.packages)
      .filter(([path]) => path !== '') // the project itself: its runtime is the `node` package
      .flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range === undefined || satisfies(lowest, range)
          ? []
          : [`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} needs ${range}`];
      });
    expect({ node: lowest, refused }).toEqual({ node: lowest, refused: [] });
  });
});

// The shape stays: no import cycle between the folders of src/ (any import, types included), and
// no cycle between files through imports that exist at run time (`import type` is erased by the
// compiler, so two files may name each other's types). A new cycle fails here with its path.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsFiles } from './source-files.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

interface Edge {
  readonly to: string;
  readonly typeOnly: boolean;
}

const SPECIFIER =
  /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Relative imports and re-exports of one file, resolved to src-relative .ts paths. */
export function importsOf(file: string, text: string): Edge[] {
  return [...text.matchAll(SPECIFIER)].map((m) => ({
    to: relative(SRC, normalize(join(dirname(file), (m[3] ?? '').replace(/\.js$/, '.ts')))),
    typeOnly: m[2] !== undefined,
  }));
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (path: string): string => (path.includes(sep) ? (path.split(sep)[0] ?? '') : '.');

function graphs(): { folders: Map<string, Set<string>>; files: Map<string, Set<string>> } {
  const folders = new Map<string, Set<string>>();
  const files = new Map<string, Set<string>>();
  const add = (g: Map<string, Set<string>>, a: string, b: string): void => {
    g.set(a, (g.get(a) ?? new Set()).add(b));
  };
  for (const file of tsFiles(SRC)) {
    const from = relative(SRC, file);
    for (const edge of importsOf(file, readFileSync(file, 'utf8'))) {
      if (folderOf(from) !== folderOf(edge.to)) add(folders, folderOf(from), folderOf(edge.to));
      if (!edge.typeOnly) add(files, from, edge.to);
    }
  }
  return { folders, files };
}

describe('import cycles', () => {
  it('finds a cycle when there is one (so the checks below can fail)', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(importsOf(join(SRC, 'x', 'y.ts'), "import type { T } from '../z/w.js';\n")).toEqual([
      { to: join('z', 'w.ts'), typeOnly: true },
    ]);
    expect(
      importsOf(
        join(SRC, 'x', 'y.ts'),
        "import {\n  a,\n  b,\n} from './v.js';\nexport * from './u.js';\n",
      ),
    ).toEqual([
      { to: join('x', 'v.ts'), typeOnly: false },
      { to: join('x', 'u.ts'), typeOnly: false },
    ]);
  });

  it('has no cycle between the folders of src/', () => {
    const { folders } = graphs();
    expect(folders.size).toBeGreaterThan(10);
    expect(cycles(folders)).toEqual([]);
  });

  it('docs/architecture.md says what every folder of src/ owns', () => {
    const doc = readFileSync(join(SRC, '..', 'docs', 'architecture.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Folders'), doc.indexOf('## Wiring'));
    const firstColumns = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1] ?? '');
    const named = new Set(
      firstColumns.flatMap((c) => [...c.matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1])),
    );
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((f) => !named.has(f))).toEqual([]);
    expect([...named].filter((f) => !folders.includes(f ?? ''))).toEqual([]);
  });

  it('has no cycle between files through run-time imports', () => {
    const { files } = graphs();
    expect(files.size).toBeGreaterThan(100);
    expect(cycles(files)).toEqual([]);
  });

  it('in the reconcile path only analysis/ calls metrics/: canary/ and machine/ import its types alone', () => {
    const reconcilePath = [...tsFiles(join(SRC, 'canary')), ...tsFiles(join(SRC, 'machine'))];
    expect(reconcilePath.length).toBeGreaterThan(20);
    const calls = reconcilePath.flatMap((file) =>
      importsOf(file, readFileSync(file, 'utf8'))
        .filter((e) => e.to.startsWith(`metrics${sep}`) && !e.typeOnly)
        .map((e) => `${relative(SRC, file)} -> ${e.to}`),
    );
    expect(calls).toEqual([]);
    const analysisCalls = tsFiles(join(SRC, 'analysis')).some((file) =>
      importsOf(file, readFileSync(file, 'utf8')).some(
        (e) => e.to.startsWith(`metrics${sep}`) && !e.typeOnly,
      ),
    );
    expect(analysisCalls).toBe(true);
  });
});

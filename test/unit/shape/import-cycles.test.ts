// The shape stays: no import cycle between the folders of src/ (any import, types included), and
// no cycle between files through imports that exist at run time (`import type` is erased by the
// compiler, so two files may name each other's types). A new cycle fails here with its path; the
// ESLint rule shape/no-import-cycle reads the same graph (hack/import-graph.js) in the editor.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SRC, cycles, graphs, importsOf, tsFiles } from '../../../hack/import-graph.js';

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

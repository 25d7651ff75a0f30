// The import graph of src/, for the shape checks: no import cycle between the folders of src/ (any
// import, types included), and none between files through imports that exist at run time
// (`import type` is erased by the compiler, so two files may name each other's types). Used by the
// ESLint rule `shape/no-import-cycle` (eslint.config.js) and by test/unit/shape/import-cycles.test.ts.
// Plain JavaScript so eslint.config.js can load it; its types are in import-graph.d.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const SPECIFIER =
  /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every .ts file under `dir`, recursively. */
export function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? tsFiles(join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [join(dir, d.name)]
        : [],
  );
}

/** Relative imports and re-exports of one file, resolved to src-relative .ts paths. */
export function importsOf(file, text) {
  return [...text.matchAll(SPECIFIER)].map((m) => ({
    to: relative(SRC, normalize(join(dirname(file), (m[3] ?? '').replace(/\.js$/, '.ts')))),
    typeOnly: m[2] !== undefined,
  }));
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
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

/** The folder of a src-relative path ('.' for a file at the top). */
export const folderOf = (path) => (path.includes(sep) ? path.split(sep)[0] : '.');

/** The folder graph (every import) and the file graph (run-time imports) of src/. */
export function graphs() {
  const folders = new Map();
  const files = new Map();
  const add = (g, a, b) => {
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

/** The graph is rebuilt when older than this, so an editor's long-lived ESLint sees edits. */
const GRAPH_TTL_MS = 2_000;
let cached;

function currentCycles() {
  const now = Date.now();
  if (cached === undefined || now - cached.at > GRAPH_TTL_MS) {
    const { folders, files } = graphs();
    cached = { at: now, folders: cycles(folders), files: cycles(files) };
  }
  return cached;
}

/** ESLint plugin: `shape/no-import-cycle` reports a file of src/ that is on an import cycle. */
export const shapePlugin = {
  rules: {
    'no-import-cycle': {
      meta: {
        type: 'problem',
        docs: { description: 'no import cycle between the folders or the files of src/' },
        schema: [],
        messages: {
          folders: 'folder {{folder}}/ is on an import cycle between folders: {{cycle}}',
          files: 'this file is on a run-time import cycle: {{cycle}}',
        },
      },
      create(context) {
        const from = relative(SRC, context.filename);
        if (from.startsWith('..')) return {};
        return {
          Program(node) {
            const { folders, files } = currentCycles();
            const folder = folderOf(from);
            for (const cycle of folders.filter((c) => c.includes(folder))) {
              const data = { folder, cycle: cycle.join(' -> ') };
              context.report({ node, messageId: 'folders', data });
            }
            for (const cycle of files.filter((c) => c.includes(from))) {
              context.report({ node, messageId: 'files', data: { cycle: cycle.join(' -> ') } });
            }
          },
        };
      },
    },
  },
};

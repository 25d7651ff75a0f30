/**
 * `npx tsx hack/heap-summary.ts <file.heapsnapshot> [top] [Constructor | @node]`: where a V8
 * heap snapshot's bytes are. Prints the constructors with the most retained bytes (each instance's
 * dominator subtree, summed over the instances no other instance of the same constructor
 * dominates) and with the most self bytes; given a constructor, what its largest instances hold,
 * by the property that leads there (each line names a node, `@123`, to look into next). Snapshots come from `npm run bench -- --heap-snapshot <dir>`
 * (run it with `--controller compiled`: the bundle's class names are minified). Weak edges do not
 * retain.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, topArg, expand] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: npx tsx hack/heap-summary.ts <file.heapsnapshot> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const { meta } = snap.snapshot;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nType = meta.node_fields.indexOf('type');
const nName = meta.node_fields.indexOf('name');
const nSelf = meta.node_fields.indexOf('self_size');
const nEdges = meta.node_fields.indexOf('edge_count');
const eType = meta.edge_fields.indexOf('type');
const eTo = meta.edge_fields.indexOf('to_node');
const eName = meta.edge_fields.indexOf('name_or_index');
const edgeTypes = meta.edge_types[0];
const WEAK = meta.edge_types[0].indexOf('weak');
const nodeTypes = meta.node_types[0];
const count = snap.nodes.length / NF;

// Successors (CSR), weak edges left out.
const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) {
  firstEdge[i] = e;
  e += (snap.nodes[i * NF + nEdges] ?? 0) * EF;
  firstEdge[i + 1] = e;
}
const succ = (i: number, visit: (j: number) => void): void => {
  for (let e = firstEdge[i] ?? 0; e < (firstEdge[i + 1] ?? 0); e += EF) {
    if (snap.edges[e + eType] !== WEAK) visit((snap.edges[e + eTo] ?? 0) / NF);
  }
};

// Reverse postorder from the root (node 0), iteratively.
const order = new Int32Array(count).fill(-1); // postorder number
const post: number[] = [];
{
  const stack: number[] = [0];
  const cursor = new Uint32Array(count);
  const seen = new Uint8Array(count);
  seen[0] = 1;
  for (let i = 0; i < count; i++) cursor[i] = firstEdge[i] ?? 0;
  while (stack.length > 0) {
    const v = stack[stack.length - 1] ?? 0;
    let pushed = false;
    while ((cursor[v] ?? 0) < (firstEdge[v + 1] ?? 0)) {
      const e = cursor[v] ?? 0;
      cursor[v] = e + EF;
      if (snap.edges[e + eType] === WEAK) continue;
      const w = (snap.edges[e + eTo] ?? 0) / NF;
      if (seen[w] === 0) {
        seen[w] = 1;
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
}
const preds: number[][] = Array.from({ length: count }, () => []);
for (const v of post) succ(v, (w) => preds[w]?.push(v));

// Cooper, Harvey and Kennedy: "A Simple, Fast Dominance Algorithm".
const idom = new Int32Array(count).fill(-1);
idom[0] = 0;
const intersect = (a: number, b: number): number => {
  while (a !== b) {
    while ((order[a] ?? 0) < (order[b] ?? 0)) a = idom[a] ?? 0;
    while ((order[b] ?? 0) < (order[a] ?? 0)) b = idom[b] ?? 0;
  }
  return a;
};
for (let changed = true; changed;) {
  changed = false;
  for (let k = post.length - 2; k >= 0; k--) {
    const v = post[k] ?? 0;
    let d = -1;
    for (const p of preds[v] ?? []) {
      if (idom[p] === -1) continue;
      d = d === -1 ? p : intersect(p, d);
    }
    if (d !== -1 && idom[v] !== d) {
      idom[v] = d;
      changed = true;
    }
  }
}

// Retained sizes: children before parents, i.e. postorder.
const retained = new Float64Array(count);
for (const v of post) retained[v] = (retained[v] ?? 0) + (snap.nodes[v * NF + nSelf] ?? 0);
for (const v of post) {
  const d = idom[v] ?? 0;
  if (v !== 0) retained[d] = (retained[d] ?? 0) + (retained[v] ?? 0);
}

const label = (i: number): string => {
  const type = nodeTypes[snap.nodes[i * NF + nType] ?? 0] ?? '?';
  const name = snap.strings[snap.nodes[i * NF + nName] ?? 0] ?? '';
  return type === 'object' || type === 'closure' || type === 'native' ? name : `(${type})`;
};
const byRetained = new Map<string, { n: number; bytes: number }>();
const bySelf = new Map<string, { n: number; bytes: number }>();
for (const v of post) {
  if (v === 0) continue;
  const name = label(v);
  const self = bySelf.get(name) ?? { n: 0, bytes: 0 };
  self.n++;
  self.bytes += snap.nodes[v * NF + nSelf] ?? 0;
  bySelf.set(name, self);
  // Counted only where no dominator of v has the same label (no double counting of nested ones).
  let outer = false;
  for (let d = idom[v] ?? 0; d !== 0; d = idom[d] ?? 0) {
    if (label(d) === name) {
      outer = true;
      break;
    }
  }
  if (outer) continue;
  const r = byRetained.get(name) ?? { n: 0, bytes: 0 };
  r.n++;
  r.bytes += retained[v] ?? 0;
  byRetained.set(name, r);
}

const mib = (b: number): string => (b / 1024 / 1024).toFixed(2).padStart(8);
const print = (title: string, m: Map<string, { n: number; bytes: number }>): void => {
  console.log(`\n${title}\n${'MiB'.padStart(8)} ${'count'.padStart(9)}  name`);
  for (const [name, { n, bytes }] of [...m].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    console.log(`${mib(bytes)} ${String(n).padStart(9)}  ${name.slice(0, 100)}`);
  }
};
console.log(`${file}: ${count} nodes, ${mib(retained[0] ?? 0).trim()} MiB reachable`);
print('retained, by constructor', byRetained);
print('self, by constructor', bySelf);

if (expand !== undefined) {
  const children = new Map<number, number[]>();
  for (const v of post) {
    if (v === 0) continue;
    const d = idom[v] ?? 0;
    const list = children.get(d) ?? [];
    list.push(v);
    children.set(d, list);
  }
  const edgeName = (from: number, to: number): string => {
    for (let e = firstEdge[from] ?? 0; e < (firstEdge[from + 1] ?? 0); e += EF) {
      if ((snap.edges[e + eTo] ?? 0) / NF !== to) continue;
      const type = edgeTypes[snap.edges[e + eType] ?? 0];
      const n = snap.edges[e + eName] ?? 0;
      return type === 'element' || type === 'hidden' ? `[${type}]` : (snap.strings[n] ?? '?');
    }
    return '(dominated)';
  };
  const instances = (
    expand.startsWith('@')
      ? [Number(expand.slice(1))]
      : post.filter((v) => v !== 0 && label(v) === expand)
  )
    .sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0))
    .slice(0, 8);
  for (const v of instances) {
    const names: string[] = [];
    for (let e = firstEdge[v] ?? 0; e < (firstEdge[v + 1] ?? 0); e += EF) {
      const to = (snap.edges[e + eTo] ?? 0) / NF;
      if (nodeTypes[snap.nodes[to * NF + nType] ?? 0] !== 'string') continue;
      if (edgeTypes[snap.edges[e + eType] ?? 0] !== 'property') continue;
      const key = snap.strings[snap.edges[e + eName] ?? 0] ?? '';
      names.push(`${key}=${(snap.strings[snap.nodes[to * NF + nName] ?? 0] ?? '').slice(0, 40)}`);
    }
    console.log(
      `\n${expand} @${v}: ${mib(retained[v] ?? 0).trim()} MiB retained ${names.join(' ')}`,
    );
    const groups = new Map<string, { n: number; bytes: number }>();
    for (const w of children.get(v) ?? []) {
      const key = `${edgeName(v, w)} -> ${label(w)}`;
      const g = groups.get(key) ?? { n: 0, bytes: 0 };
      g.n++;
      g.bytes += retained[w] ?? 0;
      groups.set(key, g);
    }
    for (const [key, { n, bytes }] of [...groups]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, 12)) {
      const first = (children.get(v) ?? []).find((w) => `${edgeName(v, w)} -> ${label(w)}` === key);
      console.log(
        `  ${(bytes / 1024).toFixed(1).padStart(9)} KiB ${String(n).padStart(7)}  ${key.slice(0, 100)}  (@${first})`,
      );
    }
  }
}

// Reads the file given to `validate -f` into Kubernetes objects. Every YAML document counts (a
// `kind: *List` is expanded into its items); YAML syntax errors and documents that are not objects
// are problems of their own, with the line they start on.
import { parseAllDocuments } from 'yaml';
import type { DocRef, KubeDoc, Problem } from './validate-types.js';

export interface ParsedFile {
  readonly docs: readonly KubeDoc[];
  readonly problems: readonly Problem[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function refOf(index: number, obj: Record<string, unknown>): DocRef {
  const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
  const namespace = str(meta['namespace']);
  return {
    index,
    kind: str(obj['kind']),
    namespace: namespace === '' ? null : namespace,
    name: str(meta['name']),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseDocuments(text: string): ParsedFile {
  const docs: KubeDoc[] = [];
  const problems: Problem[] = [];
  let index = 0;
  for (const doc of parseAllDocuments(text, { prettyErrors: true })) {
    index += 1;
    const blank: DocRef = { index, kind: '', namespace: null, name: '' };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        // The first line names the problem and its line/column; the rest is a source excerpt.
        const message = e.message.split('\n', 1)[0] ?? e.message;
        problems.push({ doc: blank, field: '', message, source: 'yaml' });
      }
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) {
      index -= 1; // an empty document (e.g. a trailing `---`) is not counted
      continue;
    }
    if (!isObject(value)) {
      problems.push({
        doc: blank,
        field: '',
        message: 'not a YAML mapping (a Kubernetes object)',
        source: 'yaml',
      });
      continue;
    }
    const items =
      str(value['kind']).endsWith('List') && Array.isArray(value['items'])
        ? value['items']
        : [value];
    items.forEach((item: unknown, i) => {
      const ref = refOf(index, isObject(item) ? item : {});
      if (!isObject(item)) {
        problems.push({ doc: ref, field: `items[${i}]`, message: 'not an object', source: 'yaml' });
        return;
      }
      docs.push({ ref, object: item });
    });
  }
  return { docs, problems };
}

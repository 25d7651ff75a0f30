// Reading the file given to `validate`, and turning API server Status bodies into problems.
import { describe, expect, it } from '@jest/globals';
import { renderReport } from '../../../src/cli/render/problems.js';
import { withoutEchoes } from '../../../src/cli/commands/validate.js';
import { problemsFromStatus } from '../../../src/cli/commands/validate-dry-run.js';
import { parseDocuments } from '../../../src/cli/commands/validate-documents.js';
import type { KubeDoc, Problem } from '../../../src/cli/commands/validate-types.js';
import { COLOR, PLAIN } from './fixtures.js';

describe('parseDocuments', () => {
  it('numbers documents, skips empty ones, expands Lists and reports YAML errors with their line', () => {
    const text = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ns}',
      '',
      'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s}}\n  - 42',
      'just a string',
      'key: [unclosed',
    ].join('\n---\n');
    const { docs, problems } = parseDocuments(text);
    expect(docs.map((d) => d.ref)).toEqual([
      { index: 1, kind: 'ConfigMap', namespace: 'ns', name: 'a' },
      { index: 2, kind: 'Secret', namespace: null, name: 's' },
    ]);
    expect(problems.map((p) => [p.doc.index, p.field, p.source])).toEqual([
      [2, 'items[1]', 'yaml'],
      [3, '', 'yaml'],
      [4, '', 'yaml'],
    ]);
    expect(problems[2]?.message).toMatch(/at line \d+, column \d+/);
    expect(problems[2]?.message).not.toContain('\n');
  });
});

const doc: KubeDoc = {
  ref: { index: 1, kind: 'Canary', namespace: 'test', name: 'c' },
  object: {},
};

describe('problemsFromStatus', () => {
  it('turns each cause into a problem with its field path', () => {
    const body = JSON.stringify({
      kind: 'Status',
      message: 'Canary "c" is invalid: [...]',
      reason: 'Invalid',
      details: {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 99999: must be <= 65535',
            field: 'spec.service.port',
          },
          { reason: 'FieldValueRequired', message: 'Required value' },
        ],
      },
    });
    expect(problemsFromStatus(doc, 422, body).map((p) => [p.field, p.message])).toEqual([
      ['spec.service.port', 'Invalid value: 99999: must be <= 65535'],
      ['', 'Required value'],
    ]);
  });

  it('finds the path in server-side apply type errors and missing namespaces', () => {
    const typed = {
      message:
        'failed to create typed patch object (ns/x; /v1, Kind=ConfigMap): .data.a: expected string, got 1',
    };
    expect(problemsFromStatus(doc, 500, JSON.stringify(typed))[0]?.field).toBe('data.a');
    const ns = { message: 'namespaces "nowhere" not found', reason: 'NotFound' };
    expect(problemsFromStatus(doc, 404, ns)[0]?.field).toBe('metadata.namespace');
  });

  it('keeps the start of a body that is not a Status', () => {
    expect(problemsFromStatus(doc, 502, '<html>bad gateway</html>')).toEqual([
      { doc: doc.ref, field: '', message: '<html>bad gateway</html>', source: 'apiserver' },
    ]);
  });
});

describe('report', () => {
  const p = (
    index: number,
    field: string,
    source: Problem['source'],
    message = 'bad',
  ): Problem => ({
    doc: { index, kind: 'Canary', namespace: 'test', name: `c${index}` },
    field,
    message,
    source,
  });

  it('drops controller findings on a field the API server already rejected', () => {
    const kept = withoutEchoes([
      p(1, 'spec.analysis.interval', 'apiserver'),
      p(1, 'spec.analysis.interval', 'controller'),
      p(1, 'spec.analysis', 'controller'),
      p(1, 'spec.targetRef.name', 'controller'),
      p(2, 'spec.analysis.interval', 'controller'),
    ]);
    expect(kept.map((x) => [x.doc.index, x.field, x.source])).toEqual([
      [1, 'spec.analysis.interval', 'apiserver'],
      [1, 'spec.targetRef.name', 'controller'],
      [2, 'spec.analysis.interval', 'controller'],
    ]);
  });

  it('groups problems by document and ends with a verdict', () => {
    const report = {
      file: 'app.yaml',
      documents: 3,
      problems: [p(2, 'spec.x', 'apiserver', 'Required value'), p(1, '', 'yaml', 'broken')],
      notes: [
        { doc: { index: 3, kind: 'Service', namespace: 'new', name: 's' }, message: 'not dry-run' },
      ],
    };
    expect(renderReport(report, PLAIN)).toEqual([
      'app.yaml: document 1 (Canary test/c1)',
      '  x broken (yaml)',
      'app.yaml: document 2 (Canary test/c2)',
      '  x spec.x: Required value (apiserver)',
      'app.yaml: document 3 (Service new/s): note: not dry-run',
      'app.yaml: 2 problems in 2 of 3 documents',
    ]);
    expect(renderReport({ ...report, problems: [], notes: [] }, PLAIN)).toEqual([
      'app.yaml: 3 documents valid',
    ]);
    expect(renderReport(report, COLOR).join('\n')).toContain('✗');
  });
});

import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { kwokStagesYaml, READY_ANNOTATION } from '../../../dev/local/kwok-stages.js';

interface Stage {
  kind: string;
  metadata: { name: string };
  spec: {
    resourceRef: { kind: string };
    selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
    next: { statusTemplate?: string; delete?: boolean };
  };
}

const stages = parseAllDocuments(kwokStagesYaml()).map((d) => d.toJS() as Stage);
const byName = (name: string) => stages.find((s) => s.metadata.name === name);
const annotationKey = `.metadata.annotations["${READY_ANNOTATION}"]`;
const annotationRule = (s: Stage | undefined) =>
  s?.spec.selector.matchExpressions.find((e) => e.key === annotationKey);

describe('kwok stages', () => {
  it('are valid YAML Stage documents for nodes and pods', () => {
    expect(stages.map((s) => [s.kind, s.spec.resourceRef.kind, s.metadata.name])).toEqual([
      ['Stage', 'Node', 'node-initialize'],
      ['Stage', 'Pod', 'pod-ready'],
      ['Stage', 'Pod', 'pod-running-unready'],
      ['Stage', 'Pod', 'pod-become-ready'],
      ['Stage', 'Pod', 'pod-become-unready'],
      ['Stage', 'Pod', 'pod-delete'],
    ]);
  });

  it.each([
    ['pod-ready', 'NotIn', 'True'],
    ['pod-running-unready', 'In', 'False'],
    ['pod-become-ready', 'NotIn', 'True'],
    ['pod-become-unready', 'In', 'False'],
  ])(
    '%s selects pods whose annotation is %s ["false"] and makes them Ready=%s',
    (name, op, ready) => {
      const stage = byName(name);
      expect(annotationRule(stage)).toEqual({
        key: annotationKey,
        operator: op,
        values: ['false'],
      });
      expect(stage?.spec.next.statusTemplate).toMatch(
        new RegExp(`status: "${ready}"\\n\\s+type: Ready\\n`),
      );
    },
  );

  it('deletes pods that are being deleted', () => {
    expect(byName('pod-delete')?.spec.next.delete).toBe(true);
  });
});

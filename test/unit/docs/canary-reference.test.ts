// docs/canary-reference.md's field reference is generated from crds/canary.yaml; a CRD change
// without `npm run docs:reference` fails here.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  BEGIN,
  CRD_PATH,
  DOC_PATH,
  END,
  renderReference,
  updatePage,
} from '../../../hack/crd-reference.js';

describe('the Canary reference', () => {
  it('is up to date with crds/canary.yaml (refresh: npm run docs:reference)', () => {
    const page = readFileSync(DOC_PATH, 'utf8');
    expect(page).toContain(BEGIN);
    expect(updatePage(page, readFileSync(CRD_PATH, 'utf8'))).toBe(page);
  });

  it('names every field with its type, default, constraints, description and rules', () => {
    const crd = [
      'spec:',
      '  versions:',
      '    - name: v9',
      '      schema:',
      '        openAPIV3Schema:',
      '          required: [spec]',
      '          properties:',
      '            spec:',
      '              type: object',
      '              required: [interval]',
      '              properties:',
      '                interval:',
      '                  type: string',
      '                  default: 1m',
      '                  description: How often.',
      '                  x-kubernetes-validations:',
      "                    - rule: self != '0s'",
      '                      message: must not be zero',
      '                steps:',
      '                  type: array',
      '                  maxItems: 3',
      '                  items: {type: integer, minimum: 1}',
    ].join('\n');
    const block = renderReference(crd);
    expect(block.startsWith(BEGIN) && block.endsWith(END)).toBe(true);
    expect(block).toContain('- **`spec.interval`** (string; required; default `"1m"`)');
    expect(block).toContain('  How often.');
    expect(block).toContain("  - Rule: must not be zero — `self != '0s'`");
    expect(block).toContain('- **`spec.steps`** (array of integer; max items 3)');
    // A changed CRD changes the page.
    const page = `intro\n\n${block}\n`;
    expect(updatePage(page, crd.replace('1m', '2m'))).toContain('default `"2m"`');
  });
});

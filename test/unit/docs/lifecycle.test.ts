// docs/lifecycle.md's diagram is drawn from src/api/phases.ts; a table change without
// `npm run docs:lifecycle` fails here.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DOC_PATH, renderLifecycle, updatePage } from '../../../hack/lifecycle-diagram.js';

describe('the lifecycle page', () => {
  it('is up to date with the phase table (refresh: npm run docs:lifecycle)', () => {
    const page = readFileSync(DOC_PATH, 'utf8');
    expect(updatePage(page)).toBe(page);
  });

  it('draws every transition of the table', () => {
    const block = renderLifecycle();
    expect(block).toContain('  Promoting --> Finalising: primary runs the revision');
    expect(block).toContain('- to `Terminating`: Canary deleted');
    expect(updatePage(`x\n${block}\n`)).toBe(`x\n${block}\n`);
    expect(() => updatePage('no markers')).toThrow('no generated block');
  });
});

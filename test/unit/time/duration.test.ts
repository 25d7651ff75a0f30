// One table through the duration parser's two grammars and through the CRD's own CEL rule (read
// out of crds/canary.yaml), so the parser and `kubectl apply` cannot disagree on what a Canary
// duration is.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CRD_DURATION, parseDuration, parseGoDurationMs } from '../../../src/time/duration.js';

const CRD = readFileSync(
  fileURLToPath(new URL('../../../crds/canary.yaml', import.meta.url)),
  'utf8',
);

/** Every distinct duration pattern in the CRD's `self.matches('...')` rules. */
const crdPatterns = [
  ...new Set([...CRD.matchAll(/self\.matches\('(\^\(\[0-9\][^']*)'\)/g)].map((m) => m[1] ?? '')),
];

// [text, CRD grammar (ms or null), Go grammar (ms or null)]
const TABLE: [string, number | null, number | null][] = [
  ['30s', 30_000, 30_000],
  ['1m', 60_000, 60_000],
  ['1m30s', 90_000, 90_000],
  ['1h30m', 5_400_000, 5_400_000],
  ['1.5h', 5_400_000, 5_400_000],
  ['500ms', 500, 500],
  ['2h45m10s', 9_910_000, 9_910_000],
  ['1m0s', 60_000, 60_000],
  ['0', null, 0],
  ['1500us', null, 1.5],
  ['-5s', null, -5_000],
  ['.5s', null, 500],
  ['5.s', null, 5_000],
  ['', null, null],
  ['30', null, null],
  ['1d', null, null],
  ['1m 30s', null, null],
  ['s', null, null],
  ['abc', null, null],
];

describe('durations', () => {
  it('the CRD has one duration rule, and it is the parser’s', () => {
    expect(crdPatterns).toEqual([CRD_DURATION.source]);
  });

  it.each(TABLE)('%j: CRD %p, Go %p', (text, crd, go) => {
    expect(parseDuration(text)).toBe(crd);
    expect(new RegExp(crdPatterns[0] ?? '$^').test(text)).toBe(crd !== null);
    expect(parseGoDurationMs(text)).toBe(go);
  });

  it('every duration the CRD admits means the same in both grammars', () => {
    for (const [text, crd] of TABLE) if (crd !== null) expect(parseGoDurationMs(text)).toBe(crd);
  });
});

// One table through the duration parser's two grammars and through the CRD's own CEL rule (read
// out of crds/canary.yaml), so the parser and `kubectl apply` cannot disagree on what a Canary
// duration is.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { engineSpecFrom } from '../../../src/machine/spec.js';
import { CRD_DURATION, parseDuration, parseGoDurationMs } from '../../../src/time/duration.js';
import { loadCrd, rootSchema, walkSchema } from '../api/crd-schema.js';

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

// The grammar has no minimum; analysis.interval has one, in two places: the CRD's CEL rule (what
// `kubectl apply` refuses) and engineSpecFrom (what a Canary built in code or stored before the rule
// gets). The minimum is read out of the CRD, and the engine is held to it at its boundary.
describe('the minimum of analysis.interval', () => {
  const node = [...walkSchema(rootSchema(loadCrd('canary.yaml')), '')].find(
    ([path]) => path === 'spec.analysis.interval',
  )?.[1];
  const minimums = (node?.['x-kubernetes-validations'] ?? []).flatMap(({ rule }) =>
    [...rule.matchAll(/duration\(self\) >= duration\('([^']*)'\)/g)].map((m) => m[1] ?? ''),
  );
  const minMs = parseDuration(minimums[0] ?? '') ?? NaN;
  const engineAccepts = (interval: string): boolean =>
    engineSpecFrom({
      targetRef: { name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval, stepWeight: 10 },
    }).ok;

  it('the CRD’s rule sets one: 1s', () => {
    expect(minimums).toEqual(['1s']);
    expect(minMs).toBe(1_000);
  });

  it('the engine accepts the CRD’s minimum and refuses one millisecond less', () => {
    expect(engineAccepts(`${minMs}ms`)).toBe(true);
    expect(engineAccepts(minimums[0] ?? '')).toBe(true);
    expect(engineAccepts(`${minMs - 1}ms`)).toBe(false);
    expect(engineAccepts('0s')).toBe(false);
  });
});

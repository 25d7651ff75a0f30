// canonicalJson's exact output, byte for byte: revision hashes are taken over it, so a rewrite that
// "sorts the same" but prints differently would restart every canary on upgrade. The
// golden hashes in test/unit/workload/revision-hash.test.ts cover ordinary templates; these cases
// cover the orderings a template rarely shows (ConfigMap data keys such as "10" and "9" are valid).
import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from '../../../src/kube/canonical-json.js';

describe('canonicalJson', () => {
  it.each<[string, unknown, string]>([
    [
      'array-index keys first, in numeric order; then the rest in UTF-16 order',
      { '10': 1, '9': 2, a: 3, '-1': 4, '01': 5, B: 6, '4294967295': 7, '4294967294': 8 },
      '{"9":2,"10":1,"4294967294":8,"-1":4,"01":5,"4294967295":7,"B":6,"a":3}',
    ],
    [
      'UTF-16 code units, not code points or locale',
      { z: 1, é: 2, '\uffff': 3, '😀': 4 },
      '{"z":1,"é":2,"😀":4,"\uffff":3}',
    ],
    [
      'undefined members dropped, unrepresentable array items null, Dates as ISO strings',
      { a: undefined, b: [undefined, NaN, Infinity, () => 1], c: new Date(0), d: () => 1 },
      '{"b":[null,null,null,null],"c":"1970-01-01T00:00:00.000Z"}',
    ],
    ['undefined alone', undefined, 'null'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

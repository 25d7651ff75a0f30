import { describe, expect, it } from '@jest/globals';
import { internString, internStrings } from '../../../src/kube/intern.js';

describe('internString', () => {
  it.each([
    ['a plain value', 'IfNotPresent'],
    ['the empty string', ''],
    ['an array index', '0'],
    ['a number-like value', '23131'],
    ['a negative number-like value', '-1'],
    ['__proto__', '__proto__'],
    ['an Object.prototype name', 'constructor'],
    ['a long value', 'x'.repeat(5000)],
    ['a NUL-joined signature', 'Normal\u0000Progressing\u0000weight 20'],
    ['non-ASCII', 'Gewicht 20 % – geprüft ✓'],
  ])('returns the same value for %s', (_what, s) => {
    expect(internString(s)).toBe(s);
  });

  it('returns the same value for a string built at run time', () => {
    const built = ['app', String(1).padStart(4, '0')].join('-');
    expect(internString(built)).toBe('app-0001');
  });
});

describe('internStrings', () => {
  it('keeps every value, at any depth, and returns the object it was given', () => {
    const obj = JSON.parse(
      JSON.stringify({
        metadata: { name: 'app-0001', labels: { app: 'app-0001' }, generation: 2 },
        spec: {
          paused: false,
          template: { spec: { containers: [{ name: 'app', args: ['--port', '8080'] }] } },
        },
        status: { conditions: [{ type: 'Available', status: 'True' }], replicas: null },
        list: [['a', 1, true, null], 'b'],
      }),
    ) as Record<string, unknown>;
    const expected = structuredClone(obj);
    expect(internStrings(obj)).toBe(obj);
    expect(obj).toEqual(expected);
  });

  it('leaves non-objects as they are', () => {
    expect(internStrings('x')).toBe('x');
    expect(internStrings(3)).toBe(3);
    expect(internStrings(null)).toBeNull();
    expect(internStrings<unknown>(undefined)).toBeUndefined();
  });

  it('keeps a key named __proto__ an own data property', () => {
    const obj = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": "b"}') as Record<
      string,
      unknown
    >;
    internStrings(obj);
    expect(Object.getOwnPropertyNames(obj)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

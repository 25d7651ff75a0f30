// The label selector parser: what the API server accepts is accepted and spelt one way; what it
// refuses is refused with a message naming the fault, before any list or watch is sent.
import { describe, expect, it } from '@jest/globals';
import {
  formatLabelSelector,
  matchesLabelSelector,
  parseLabelSelector,
} from '../../../src/kube/label-selector.js';

const S = 'weightlifter.io/shard';

describe('parseLabelSelector', () => {
  it.each([
    [`${S} in (a)`, [{ key: S, operator: 'in', values: ['a'] }], `${S} in (a)`],
    [`${S} in ( b , a,b )`, [{ key: S, operator: 'in', values: ['a', 'b'] }], `${S} in (a,b)`],
    [`${S} notin (a)`, [{ key: S, operator: 'notin', values: ['a'] }], `${S} notin (a)`],
    [`${S}=a`, [{ key: S, operator: 'equals', values: ['a'] }], `${S}=a`],
    [`${S} == a`, [{ key: S, operator: 'equals', values: ['a'] }], `${S}=a`],
    [`${S}!=a`, [{ key: S, operator: 'notequals', values: ['a'] }], `${S}!=a`],
    [`${S}=`, [{ key: S, operator: 'equals', values: [''] }], `${S}=`],
    [`!${S}`, [{ key: S, operator: 'notexists', values: [] }], `!${S}`],
    [S, [{ key: S, operator: 'exists', values: [] }], S],
    [
      `app, tier notin (db,cache) ,!legacy`,
      [
        { key: 'app', operator: 'exists', values: [] },
        { key: 'tier', operator: 'notin', values: ['cache', 'db'] },
        { key: 'legacy', operator: 'notexists', values: [] },
      ],
      'app,tier notin (cache,db),!legacy',
    ],
  ])('accepts %j', (text, requirements, canonical) => {
    const parsed = parseLabelSelector(text);
    expect(parsed).toEqual({ ok: true, requirements });
    if (!parsed.ok) return;
    expect(formatLabelSelector(parsed.requirements)).toBe(canonical);
    // The canonical form reads back as the same requirements.
    expect(parseLabelSelector(canonical)).toEqual(parsed);
  });

  it('reads the empty selector as no requirement (everything)', () => {
    expect(parseLabelSelector('  ')).toEqual({ ok: true, requirements: [] });
  });

  it.each([
    [`${S} in ()`, 'the set of values in ( ) is empty'],
    [`${S} in (a`, 'unbalanced or nested parentheses'],
    [`${S} in ((a))`, 'unbalanced or nested parentheses'],
    [`${S} in (a b)`, '"a b" is not a label value'],
    [`${S}=a,`, 'an empty requirement'],
    [`,${S}=a`, 'an empty requirement'],
    [`${S}>3`, 'is not a requirement'],
    [`${S} is a`, 'is not a requirement'],
    [`${S}=-a`, '"-a" is not a label value'],
    [`${S}=${'x'.repeat(64)}`, 'is not a label value'],
    [`Weightlifter.IO/shard=a`, 'the prefix before "/" must be a DNS subdomain'],
    ['-shard=a', '"-shard" is not a label key'],
    [`${'k'.repeat(64)}=a`, 'is not a label key'],
    ['!', '"" is not a label key'],
  ])('refuses %j: %s', (text, message) => {
    const parsed = parseLabelSelector(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(message);
  });
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    ['', true],
    ['app', true],
    ['!app', false],
    ['!legacy', true],
    ['app=web', true],
    ['app=api', false],
    ['app!=api', true],
    ['legacy!=x', true],
    ['app in (api,web)', true],
    ['app in (api)', false],
    ['legacy in (x)', false],
    ['tier notin (back)', true],
    ['tier notin (front)', false],
    ['legacy notin (x)', true],
    ['app=web,tier=back', false],
    ['app=web,tier in (front)', true],
  ])('%j on app=web,tier=front: %s', (selector, matches) => {
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(matchesLabelSelector(parsed.requirements, labels)).toBe(matches);
  });

  it('reads only the labels themselves, not properties every object has', () => {
    const parsed = parseLabelSelector('constructor');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(matchesLabelSelector(parsed.requirements, {})).toBe(false);
  });
});

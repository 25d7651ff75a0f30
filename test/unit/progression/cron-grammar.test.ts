import { describe, expect, it } from '@jest/globals';
import {
  CRON_FIELDS,
  cronCelRules,
  cronProblems,
  fieldMessage,
  SHAPE_MESSAGE,
} from '../../../src/progression/cron-grammar.js';
import { loadCrd, rootSchema, type Schema } from '../api/crd-schema.js';
import { cronCases } from './cron-cases.js';

const child = (s: Schema | undefined, key: string): Schema | undefined => s?.properties?.[key];

describe('the cron grammar', () => {
  it.each(cronCases.map((c) => [c.expression, c.field] as const))(
    '"%s" is refused for: %s',
    (expression, field) => {
      const problems = cronProblems(expression);
      if (field === null) expect(problems).toEqual([]);
      else if (field === 'shape') expect(problems).toEqual([SHAPE_MESSAGE]);
      else expect(problems[0]).toMatch(new RegExp(`^${field} field must be`));
    },
  );

  it('names every field that is out of range', () => {
    expect(cronProblems('99 99 99 99 99')).toEqual(CRON_FIELDS.map(fieldMessage));
  });

  // Each field's number regex, against every number 0..99 with and without one leading zero.
  it.each([
    ['minute', 0, 59],
    ['hour', 0, 23],
    ['day of month', 1, 31],
    ['month', 1, 12],
    ['day of week', 0, 7],
  ] as const)('%s takes exactly %i..%i', (name, min, max) => {
    const field = CRON_FIELDS.find((f) => f.name === name);
    if (field === undefined) throw new Error(`no field ${name}`);
    const value = new RegExp(`^(${field.value})$`);
    const step = new RegExp(`^(${field.step})$`);
    for (let n = 0; n < 100; n++) {
      for (const text of [String(n), `0${n}`]) {
        const shortEnough = text.length <= 2;
        expect([text, value.test(text)]).toEqual([text, shortEnough && n >= min && n <= max]);
        expect([text, step.test(text)]).toEqual([text, shortEnough && n >= 1 && n <= max]);
      }
    }
  });

  it('is the rule crds/canary.yaml applies to allow and deny entries', () => {
    const schedule = child(child(rootSchema(loadCrd('canary.yaml')), 'spec'), 'schedule');
    for (const list of ['allow', 'deny']) {
      expect(child(schedule, list)?.items?.['x-kubernetes-validations']).toEqual(cronCelRules());
    }
  });
});

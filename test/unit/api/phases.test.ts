// The phase table, pinned: each fact's phases as they were when the lists lived in five files
// (operations' IN_RUN, gitops-scale's SETTLED_PHASES, actors' AFTER_PROMOTION, constants'
// ACTIVE_PHASES, conditions' healthOfPhase), and no file re-declaring such a list again.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHASES } from '../../../src/api/constants.js';
import { ACTIVE_PHASES, PHASE_TABLE, phasesWhere } from '../../../src/api/phases.js';
import { tsFiles } from '../shape/source-files.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

describe('the phase table', () => {
  it('has one row per phase', () => {
    expect(Object.keys(PHASE_TABLE).sort()).toEqual([...PHASES].sort());
  });

  it.each([
    ['abortable', ['Waiting', 'Progressing', 'WaitingPromotion']],
    ['active', ['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']],
    ['settled', ['Initialized', 'Succeeded', 'Failed']],
    ['afterPromotion', ['Promoting', 'Finalising', 'Succeeded']],
  ] as const)('%s: %j', (fact, phases) => {
    expect(phasesWhere((f) => f[fact])).toEqual(phases);
  });

  it('says what Ready and Promoted report', () => {
    expect(phasesWhere((f) => f.health === 'settled')).toEqual(['Initialized', 'Succeeded']);
    expect(phasesWhere((f) => f.health === 'stalled')).toEqual(['Failed']);
    expect(phasesWhere((f) => f.promoted === 'True')).toEqual(['Initialized', 'Succeeded']);
    expect(phasesWhere((f) => f.promoted === 'False')).toEqual(['Failed']);
    expect(ACTIVE_PHASES).toEqual(phasesWhere((f) => f.active));
  });

  it('and the lifecycle rule table are the only lists of phase names in src/ (outside the API constants)', () => {
    const list = new RegExp(String.raw`\[\s*'(${PHASES.join('|')})'\s*,\s*'(${PHASES.join('|')})'`);
    expect("new Set(['Waiting', 'Progressing'])").toMatch(list);
    const offenders = tsFiles(SRC)
      .filter(
        (f) =>
          !f.endsWith(join('api', 'phases.ts')) &&
          !f.endsWith(join('api', 'constants.ts')) &&
          !f.endsWith(join('machine', 'rules.ts')),
      )
      .filter((f) => list.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

// The phase table, pinned: each fact's phases as they were when the lists lived in five files
// (operations' IN_RUN, gitops-scale's SETTLED_PHASES, actors' AFTER_PROMOTION, constants'
// ACTIVE_PHASES, conditions' healthOfPhase), and no file re-declaring such a list again.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHASES } from '../../../src/api/constants.js';
import {
  ACTIVE_PHASES,
  PHASE_TABLE,
  TRANSITIONS,
  phasesWhere,
  transitionAllowed,
} from '../../../src/api/phases.js';
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

  it('is the only list of phase names in src/ (outside the API constants)', () => {
    const list = new RegExp(String.raw`\[\s*'(${PHASES.join('|')})'\s*,\s*'(${PHASES.join('|')})'`);
    expect("new Set(['Waiting', 'Progressing'])").toMatch(list);
    const offenders = tsFiles(SRC)
      .filter(
        (f) => !f.endsWith(join('api', 'phases.ts')) && !f.endsWith(join('api', 'constants.ts')),
      )
      .filter((f) => list.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('the transitions', () => {
  it('allow staying and the listed changes, nothing else', () => {
    expect(transitionAllowed('Progressing', 'Progressing')).toBe(true);
    expect(transitionAllowed('Promoting', 'Finalising')).toBe(true);
    expect(transitionAllowed('Terminating', 'Progressing')).toBe(false);
    expect(transitionAllowed('Finalising', 'Progressing')).toBe(false);
    expect(transitionAllowed('Initialized', 'Finalising')).toBe(false);
  });

  it('name phases only from the table, and every phase is reachable', () => {
    for (const t of TRANSITIONS) for (const p of [...t.from, ...t.to]) expect(PHASES).toContain(p);
    const reached = new Set(TRANSITIONS.flatMap((t) => t.to));
    expect(PHASES.filter((p) => !reached.has(p))).toEqual([]);
  });
});

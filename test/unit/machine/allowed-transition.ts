// Every step the decide() tests take is checked against the phase table's transitions
// (src/api/phases.ts TRANSITIONS), so the table, and the diagram drawn from it, cannot leave out a
// phase change the engine makes.
import { expect } from '@jest/globals';
import type { Phase } from '../../../src/api/constants.js';
import { transitionAllowed } from '../../../src/api/phases.js';

export function expectAllowedTransition(t: { readonly from: Phase; readonly to: Phase }): void {
  expect(
    transitionAllowed(t.from, t.to) ? 'allowed' : `${t.from} -> ${t.to} not in TRANSITIONS`,
  ).toBe('allowed');
}

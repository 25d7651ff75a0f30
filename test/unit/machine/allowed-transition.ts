// Every step the decide() tests take is checked against the lifecycle machine
// (src/machine/lifecycle.ts, built from the rule table in src/machine/rules.ts), so the machine, and the
// diagram drawn from it, cannot leave out a phase change the engine makes. decide() itself throws
// on such a step; this check says which pair it was.
import { expect } from '@jest/globals';
import type { Phase } from '../../../src/api/constants.js';
import { lifecycleAllows } from '../../../src/machine/lifecycle.js';

export function expectAllowedTransition(t: { readonly from: Phase; readonly to: Phase }): void {
  expect(
    lifecycleAllows(t.from, t.to) ? 'allowed' : `${t.from} -> ${t.to} not in the lifecycle machine`,
  ).toBe('allowed');
}

import { describe, expect, it } from '@jest/globals';
import { operationValue } from '../../../src/api/operation-request.js';
import { MANUAL_OPERATIONS } from '../../../src/api/constants.js';

describe('operationValue', () => {
  it('is `<action>:<time>-<random>`, which the controller parses as the action plus a token', () => {
    const v = operationValue('promote', Date.parse('2026-11-24T12:00:00Z'), 'a1b2c3');
    expect(v).toBe('promote:2026-11-24T12:00:00.000Z-a1b2c3');
    // The controller reads the action up to the first colon (src/canary/observe.ts).
    expect(v.slice(0, v.indexOf(':'))).toBe('promote');
  });

  it('differs between two calls in the same millisecond', () => {
    const now = Date.now();
    for (const action of MANUAL_OPERATIONS)
      expect(operationValue(action, now)).not.toBe(operationValue(action, now));
  });
});

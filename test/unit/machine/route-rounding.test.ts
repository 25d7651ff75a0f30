// A split edited by hand to within rounding of the step's weight (899/101 where the step is 10 %)
// is not at the step: the router reads it exactly (89.9/10.1) and the engine routes it again
// before it measures, so no analysis runs on weights nobody chose.
import { describe, expect, it } from '@jest/globals';
import { readRoutes, splitNames } from '../../../src/routing/traffic-split.js';
import type { ChecksCall } from '../../../src/machine/types.js';
import { canary } from '../routing/fixtures.js';
import { MINUTE, World, ok, spec } from './harness.js';

const SPEC = spec({ progression: { stepWeights: [10, 20] } });
const names = splitNames(canary({ service: { port: 80, name: 'web' } }));

function handEdited(primary: number, canaryWeight: number) {
  const reading = readRoutes(
    {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        service: 'web',
        backends: [
          { service: names.primary, weight: primary },
          { service: names.canary, weight: canaryWeight },
        ],
      },
    },
    names,
  );
  if (!reading.ok) throw new Error(reading.problem);
  return reading.routes;
}

describe('a hand-edited split within rounding of the step weight', () => {
  it.each([
    [899, 101],
    [901, 99],
    [8995, 1005],
  ])('%i/%i is routed back to 90/10 before anything is measured', async (p, c) => {
    const w = await World.initialized(SPEC);
    w.release('rev2');
    await w.settle(SPEC);
    expect(w.status).toMatchObject({ canaryWeight: 10, stepIndex: 1 });
    const checks: ChecksCall[] = [];
    w.checks = (call) => {
      checks.push(call);
      return Promise.resolve([ok()]);
    };
    w.routes = handEdited(p, c);
    expect(w.routes).not.toEqual({ primaryWeight: 90, canaryWeight: 10 });

    await w.wait(MINUTE);
    await w.settle(SPEC);
    expect(w.routes).toEqual({ primaryWeight: 90, canaryWeight: 10 });
    expect(checks).toEqual([]);
    expect(w.status).toMatchObject({ canaryWeight: 10, stepIndex: 1 });
  });
});

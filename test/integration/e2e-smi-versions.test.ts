// End-to-end, issue 4 scenario 10: on a cluster that serves exactly one TrafficSplit version,
// discovery picks it and the controller initializes and takes a first step with it. One control
// plane per version (writeTrafficSplitVariant), the four at once; kept to initialize + one step
// to stay cheap. Where the version has no `matches` (v1alpha1, v1alpha2), an A/B Canary in the
// same world is refused before any traffic moves (issue 16).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TRAFFIC_SPLIT_VERSIONS, writeTrafficSplitVariant } from '../../dev/local/smi-crds.js';
import {
  deployInitialized,
  expectRefusedBeforeTraffic,
  newRevision,
  waitForWeight,
} from '../e2e/canary-run.js';
import { eventually, startE2E } from '../e2e/harness.js';
import { APP } from '../e2e/manifests.js';
import type { SplitRecorder } from '../e2e/observers.js';

jest.setTimeout(180_000);

let dir: string;

/** TrafficSplit versions without `matches`: an A/B release cannot be routed over them. */
const NO_MATCHES = new Set<string>(['v1alpha1', 'v1alpha2']);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-e2e-smi-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenario 10: each TrafficSplit version, served alone, is detected and used', () => {
  it.concurrent.each([...TRAFFIC_SPLIT_VERSIONS])('%s', async (version) => {
    const smiCrdFiles = await writeTrafficSplitVariant(dir, [version]);
    const e = await startE2E(`smi-${version}`, {
      world: { controlPlaneOptions: { smiCrdFiles } },
    });
    const ns = `e2e-smi-${version}`;
    let recorder: SplitRecorder | undefined;
    // Issue 16: where the only TrafficSplit version has no `matches`, an A/B Canary (its version
    // left to discovery) is refused before any traffic moves; checked beside the weighted run.
    const refusal = NO_MATCHES.has(version)
      ? expectRefusedBeforeTraffic(
          e,
          `e2e-smi-ab-${version}`,
          { ab: { iterations: 4, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } },
          version,
          'UnsupportedStrategy',
          new RegExp(
            `spec\\.analysis\\.match .*needs TrafficSplit v1alpha3 or later.*serves ${version}`,
          ),
        )
      : Promise.resolve();
    // Settled here too, so a refusal that fails while the weighted run waits is never unhandled.
    refusal.catch(() => undefined);
    try {
      const split = await deployInitialized(e, ns, {
        canary: { stepWeights: [20, 50, 80] },
        splitVersion: version,
      });
      recorder = split;
      const created = split.split();
      expect(created?.apiVersion).toBe(`split.smi-spec.io/${version}`);
      expect(split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      // The controller logged the version it watches; discovery found no other, and the Gateway
      // API router, registered too, watches nothing in a world that does not serve HTTPRoute.
      const started = await e.controller.waitForLog(
        (l) => l.msg === 'weightlifter controller started',
      );
      expect(started['routers']).toEqual([
        { kind: 'smi-trafficsplit', watches: [`split.smi-spec.io/${version}/trafficsplits`] },
        { kind: 'gatewayapi-httproute', watches: [] },
      ]);

      await newRevision(e, ns, { 'example.com/rev': '2' });
      await waitForWeight(e, ns, 20);
      await eventually('split at the first step', () =>
        (split.current()?.canaryWeight ?? 0) >= 20 ? true : undefined,
      );
      // The mesh (emulator) reads the split at this version and sends the canary its share.
      e.world.emulator.resetObserved(ns, APP);
      await eventually('canary receives traffic', () =>
        (e.world.emulator.observedSplit(ns, APP)[`${APP}-canary`] ?? 0) > 0 ? true : undefined,
      );
      expect(e.world.emulator.splitVersions()).toEqual([version]);
      await refusal;
    } finally {
      await recorder?.stop();
      await e.stop();
    }
  });
});

// End-to-end, issue 4 scenario 10: on a cluster that serves exactly one TrafficSplit version,
// discovery picks it and the controller initializes and takes a first step with it. One control
// plane per version (writeTrafficSplitVariant); kept to initialize + one step to stay cheap.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TRAFFIC_SPLIT_VERSIONS, writeTrafficSplitVariant } from '../../src/local/smi-crds.js';
import { eventually, phaseIs, startE2E, waitForStatus } from '../e2e/harness.js';
import { APP, appYaml, canaryYaml, namespaceYaml, revisionPatch } from '../e2e/manifests.js';
import { SplitRecorder } from '../e2e/observers.js';

jest.setTimeout(180_000);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-e2e-smi-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scenario 10: each TrafficSplit version, served alone, is detected and used', () => {
  it.each([...TRAFFIC_SPLIT_VERSIONS])('%s', async (version) => {
    const smiCrdFiles = await writeTrafficSplitVariant(dir, [version]);
    const e = await startE2E(`smi-${version}`, {
      world: { controlPlaneOptions: { smiCrdFiles } },
    });
    const ns = `e2e-smi-${version}`;
    const split = new SplitRecorder(e.admin, ns, version);
    try {
      await e.apply(namespaceYaml(ns));
      await e.apply(appYaml(ns));
      await e.apply(canaryYaml(ns, { stepWeights: [20, 50, 80] }));
      await split.start();
      await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
      const created = split.split();
      expect(created?.apiVersion).toBe(`split.smi-spec.io/${version}`);
      expect(split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
      // The controller logged the version it watches; discovery found no other.
      const started = await e.controller.waitForLog(
        (l) => l.msg === 'weightlifter controller started',
      );
      expect(started['trafficSplitVersion']).toBe(version);

      await e.kubectl([
        '-n',
        ns,
        'patch',
        'deployment',
        APP,
        '--type',
        'merge',
        '-p',
        revisionPatch({ 'example.com/rev': '2' }),
      ]);
      await waitForStatus(e, ns, APP, 'first step', (s) => (s.canaryWeight ?? 0) >= 20);
      await eventually('split at the first step', () =>
        (split.current()?.canaryWeight ?? 0) >= 20 ? true : undefined,
      );
      // The mesh (emulator) reads the split at this version and sends the canary its share.
      e.world.emulator.resetObserved(ns, APP);
      await eventually('canary receives traffic', () =>
        (e.world.emulator.observedSplit(ns, APP)[`${APP}-canary`] ?? 0) > 0 ? true : undefined,
      );
      expect(e.world.emulator.splitVersions()).toEqual([version]);
    } finally {
      await split.stop();
      await e.stop();
    }
  });
});

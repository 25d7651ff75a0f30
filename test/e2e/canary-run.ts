// What every e2e scenario repeats, in one place: the app and its Canary brought to Initialized
// while the route (TrafficSplit or HTTPRoute) is recorded, a new revision, and the waits on what follows.
import { expect } from '@jest/globals';
import type { CanaryStatus } from '../../src/api/canary.js';
import { eventually, getCanary, phaseIs, waitForStatus, type E2E } from './harness.js';
import {
  APP,
  appYaml,
  canaryYaml,
  namespaceYaml,
  revisionPatch,
  type AppOptions,
  type CanaryOptions,
} from './manifests.js';
import {
  SplitRecorder,
  canaryEvents,
  getDeployment,
  getIfFound,
  getService,
  type RecordedRoute,
} from './observers.js';

export interface DeployOptions {
  /** The Canary's options, or its whole manifest. */
  readonly canary?: CanaryOptions | string;
  /** The route the recorder watches: a TrafficSplit version or 'httproute'. @default 'v1alpha4' */
  readonly splitVersion?: RecordedRoute;
  /** The Canary runs a baseline: the recorder reads three backends. */
  readonly baseline?: boolean;
  /** The app's options (e.g. the first revision's emulator behaviour). */
  readonly app?: AppOptions;
}

/**
 * Applies the namespace, the app and its Canary; resolves once the Canary is Initialized with a
 * running split recorder whose record starts at the current weight.
 */
export async function deployInitialized(
  e: E2E,
  ns: string,
  opts: DeployOptions = {},
): Promise<SplitRecorder> {
  await e.apply(namespaceYaml(ns));
  await e.apply(appYaml(ns, opts.app));
  await e.apply(typeof opts.canary === 'string' ? opts.canary : canaryYaml(ns, opts.canary));
  const split = new SplitRecorder(e.admin, ns, opts.splitVersion, opts.baseline);
  await split.start();
  await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized')).catch(
    async (err: unknown) => {
      await split.stop();
      throw err;
    },
  );
  split.reset();
  return split;
}

/** A merge patch of the app's pod-template annotations: a new revision. */
export async function newRevision(
  e: E2E,
  ns: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  await e.kubectl([
    '-n',
    ns,
    'patch',
    'deployment',
    APP,
    '--type',
    'merge',
    '-p',
    revisionPatch(annotations),
  ]);
}

/**
 * A new revision whose behaviour is exactly `behaviour` (earlier behaviour cleared), marked
 * `example.com/rev: rev`; resolves once the Canary runs it, so that a wait for the end does not
 * see the previous run's.
 */
export async function releaseRevision(
  e: E2E,
  ns: string,
  rev: string,
  behaviour: Record<string, string> = {},
): Promise<CanaryStatus> {
  const before = (await getCanary(e, ns, APP)).status?.revision;
  await newRevision(e, ns, {
    'emulator.weightlifter.io/error-rate': null,
    'emulator.weightlifter.io/ready': null,
    'example.com/rev': rev,
    ...behaviour,
  });
  return waitForStatus(e, ns, APP, `revision ${rev} running`, (s) => s.revision !== before);
}

/** Waits for the run to end (Succeeded or Failed) and returns that status. */
export function waitForEnd(e: E2E, ns: string, timeoutMs?: number): Promise<CanaryStatus> {
  return waitForStatus(
    e,
    ns,
    APP,
    'Succeeded or Failed',
    phaseIs('Succeeded', 'Failed'),
    timeoutMs,
  );
}

/** Waits until status.canaryWeight is at least `weight`. */
export function waitForWeight(e: E2E, ns: string, weight: number): Promise<CanaryStatus> {
  return waitForStatus(
    e,
    ns,
    APP,
    `weight ${String(weight)}`,
    (s) => (s.canaryWeight ?? 0) >= weight,
  );
}

/** Waits until the Deployment's spec asks for `replicas`. */
export async function waitForReplicas(
  e: E2E,
  ns: string,
  name: string,
  replicas: number,
): Promise<void> {
  await eventually(`${ns}/${name} scaled to ${String(replicas)}`, async () =>
    (await getDeployment(e.admin, ns, name))?.spec?.replicas === replicas ? true : undefined,
  );
}

/**
 * Waits until status.canaryWeight is at least `weight` AND that step's effects are visible (the
 * split at the status's weight, its Advanced Event out): status is written before the effects,
 * so a crash right after the write would lose them. Returns the status.
 */
export async function waitForStepDone(
  e: E2E,
  ns: string,
  split: SplitRecorder,
  weight: number,
): Promise<CanaryStatus> {
  const status = await waitForWeight(e, ns, weight);
  await split.reached(status.canaryWeight ?? 0);
  const note = `canary weight ${String(status.canaryWeight)}`;
  await eventually(`${ns}: Advanced Event "${note}"`, async () =>
    (await canaryEvents(e.admin, ns)).some((ev) => ev.reason === 'Advanced' && ev.note === note)
      ? true
      : undefined,
  );
  return status;
}

/** Waits until the Canary is gone (its finalizer removed), up to 90 s. */
export async function waitForCanaryGone(e: E2E, ns: string): Promise<void> {
  await eventually(
    'Canary gone',
    async () => {
      const r = await e.world.controlPlane.kubectl(['-n', ns, 'get', 'canary', APP]);
      return r.code !== 0 && r.stderr.includes('NotFound') ? true : undefined;
    },
    90_000,
  );
}

/**
 * Applies the app and a Canary the cluster cannot route, and asserts the refusal: Ready=False
 * with `reason` and a message matching `message`, a Warning Event of that reason, and no traffic
 * moved (no TrafficSplit of `splitVersion`, no apex Service, no primary Deployment).
 */
export async function expectRefusedBeforeTraffic(
  e: E2E,
  ns: string,
  canary: CanaryOptions,
  splitVersion: string,
  reason: string,
  message: RegExp,
): Promise<void> {
  await e.apply(namespaceYaml(ns));
  await e.apply(appYaml(ns));
  await e.apply(canaryYaml(ns, canary));
  const status = await waitForStatus(e, ns, APP, `Ready=False ${reason}`, (s) =>
    (s.conditions ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'False' && c.reason === reason,
    ),
  );
  expect({ ns, message: status.conditions?.find((c) => c.type === 'Ready')?.message }).toEqual({
    ns,
    message: expect.stringMatching(message),
  });
  const events = await canaryEvents(e.admin, ns, (evs) => evs.some((ev) => ev.reason === reason));
  expect({ ns, type: events.find((ev) => ev.reason === reason)?.type }).toEqual({
    ns,
    type: 'Warning',
  });
  const split = await getIfFound(
    e.admin,
    `/apis/split.smi-spec.io/${splitVersion}/namespaces/${ns}/trafficsplits/${APP}`,
  );
  expect({ ns, split }).toEqual({ ns, split: undefined });
  expect({ ns, service: await getService(e.admin, ns, APP) }).toEqual({ ns, service: undefined });
  expect({ ns, primary: await getDeployment(e.admin, ns, `${APP}-primary`) }).toEqual({
    ns,
    primary: undefined,
  });
}

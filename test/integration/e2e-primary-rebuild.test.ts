// End-to-end, issue 12 item 5: a deleted `<target>-primary` is rebuilt from the last *promoted*
// template (stored as a ControllerRevision owned by the Canary), never from the target's current
// template — after a rollback (the target runs the failed revision) and in the middle of a run.
// Real API server, real Prometheus, the mesh emulator; every wait polls with a deadline.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import { BUILTIN } from '../../src/kube/resources.js';
import { shortRevision } from '../../src/machine/draft.js';
import type { DeploymentJson } from '../../src/workload/k8s-types.js';
import { waitForEnd, waitForStepDone } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { eventually, getCanary, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';
import { canaryEvents, getDeployment } from '../e2e/observers.js';

jest.setTimeout(240_000);

const e = useE2E('primary-rebuild');

const PRIMARY = `${APP}-primary`;
const GOOD_IMAGE = 'podinfo:6.7.0'; // test/e2e/manifests.ts appYaml
const REVISION = 'weightlifter.io/revision';

interface PrimaryVersion {
  readonly uid: string;
  readonly image: string | undefined;
  readonly revision: string | undefined;
}

/** The first container's image (ContainerJson types only what the controller reads). */
const imageOf = (d: DeploymentJson | undefined): string | undefined => {
  const image = d?.spec?.template?.spec?.containers?.[0]?.['image'];
  return typeof image === 'string' ? image : undefined;
};

const versionOf = (d: DeploymentJson): PrimaryVersion => ({
  uid: d.metadata?.uid ?? '',
  image: imageOf(d),
  revision: d.metadata?.annotations?.[REVISION],
});

/** Every version of `<app>-primary` in `ns`, from a watch: a short-lived one is not missed. */
function recordPrimary(ns: string) {
  const seen: PrimaryVersion[] = [];
  let informer: Informer<DeploymentJson> | undefined;
  beforeAll(async () => {
    informer = new Informer<DeploymentJson>({
      name: `e2e-primary/${ns}`,
      listerWatcher: createListerWatcher<DeploymentJson>(e.admin, BUILTIN.deployments, {
        namespace: ns,
        fieldSelector: `metadata.name=${PRIMARY}`,
      }),
      logger: pino({ level: 'silent' }),
    });
    informer.onEvent((ev) => {
      if (ev.type !== 'delete') seen.push(versionOf(ev.obj));
    });
    informer.start();
    await informer.waitForSync(30_000);
  });
  afterAll(async () => {
    await informer?.stop();
  });
  return {
    /** The first version seen of a primary other than `uid` (a rebuilt one). */
    rebuilt: (uid: string) =>
      eventually(`${ns}: ${PRIMARY} rebuilt`, () => seen.find((v) => v.uid !== uid)),
  };
}

/** A new revision of the target: another image and, optionally, emulator behaviour. */
async function newImage(ns: string, image: string, annotations: Record<string, string> = {}) {
  await e.kubectl([
    '-n',
    ns,
    'patch',
    'deployment',
    APP,
    '--type',
    'strategic',
    '-p',
    JSON.stringify({
      spec: {
        template: { metadata: { annotations }, spec: { containers: [{ name: 'app', image }] } },
      },
    }),
  ]);
}

/** Deletes the primary; returns the deleted one's uid. */
async function deletePrimary(ns: string): Promise<string> {
  const live = await getDeployment(e.admin, ns, PRIMARY);
  const uid = live?.metadata?.uid;
  if (uid === undefined) throw new Error(`${ns}: no ${PRIMARY} to delete`);
  await e.kubectl(['-n', ns, 'delete', 'deployment', PRIMARY, '--wait=false']);
  return uid;
}

interface StoredList {
  items: {
    metadata: { name: string; ownerReferences?: { kind: string; uid: string }[] };
    data?: { revision?: string };
  }[];
}

/** The stored templates in `ns`, read by the label the controller watches. */
const storedTemplates = async (ns: string) =>
  (
    await e.admin.get<StoredList>(
      `/apis/apps/v1/namespaces/${ns}/controllerrevisions?labelSelector=${encodeURIComponent(
        'weightlifter.io/stored=promoted-template',
      )}`,
    )
  ).items;

/** Waits until the only stored template in `ns` is the one of `revision`, owned by the Canary. */
async function waitForStored(env: E2E, ns: string, revision: string): Promise<void> {
  const canaryUid = (
    await env.admin.get<{ metadata: { uid: string } }>(
      `/apis/weightlifter.io/v1alpha1/namespaces/${ns}/canaries/${APP}`,
    )
  ).metadata.uid;
  const items = await eventually(`${ns}: the template of ${revision} stored`, async () => {
    const all = await storedTemplates(ns);
    return all.length === 1 && all[0]?.data?.revision === revision ? all : undefined;
  });
  expect(items[0]?.metadata.name).toBe(`${APP}-promoted-${revision.slice(0, 12)}`);
  expect(items[0]?.metadata.ownerReferences).toEqual([
    expect.objectContaining({ kind: 'Canary', uid: canaryUid }),
  ]);
}

describe('after a rollback: the target runs the failed revision', () => {
  const ns = 'e2e-rebuild-failed';
  const deployed = initializedCanary(e, ns);
  const primaries = recordPrimary(ns);

  it('rebuilds the primary from the last promoted template, keeps traffic on it and stays Failed', async () => {
    const { split } = deployed;
    const promoted = (await getCanary(e, ns, APP)).status?.lastPromotedRevision;
    if (promoted === undefined) throw new Error('nothing promoted');
    await waitForStored(e, ns, promoted);

    await newImage(ns, 'podinfo:9.9.9-bad', BEHAVIOUR.errorRate(0.3));
    const failed = await waitForEnd(e, ns);
    expect(failed.phase).toBe('Failed');
    expect(failed.lastPromotedRevision).toBe(promoted);
    await split.reached(0);
    // The target still has the failed revision's template: rebuilding from it would be wrong.
    const target = await getDeployment(e.admin, ns, APP);
    expect(imageOf(target)).toBe('podinfo:9.9.9-bad');

    split.reset();
    const rebuilt = await primaries.rebuilt(await deletePrimary(ns));
    expect(rebuilt.image).toBe(GOOD_IMAGE);
    expect(rebuilt.revision).toBe(promoted);
    const ready = await eventually(`${ns}: rebuilt primary ready`, async () => {
      const d = await getDeployment(e.admin, ns, PRIMARY);
      return (d?.status?.readyReplicas ?? 0) === 2 ? d : undefined;
    });
    expect(ready.metadata?.uid).toBe(rebuilt.uid);
    expect(ready.spec?.template?.metadata?.annotations).not.toHaveProperty(
      'emulator.weightlifter.io/error-rate',
    );

    // Traffic stays on the rebuilt primary: all of it, through the apex and the split.
    e.world.emulator.resetObserved(ns, APP);
    await eventually(`${ns}: traffic on the rebuilt primary`, () =>
      (e.world.emulator.observedSplit(ns, APP)[PRIMARY] ?? 0) > 20 ? true : undefined,
    );
    expect(e.world.emulator.observedSplit(ns, APP)[`${APP}-canary`] ?? 0).toBe(0);
    expect(split.weights).toEqual([0]);

    // The Canary does not claim success for the failed revision.
    const after = await waitForStatus(e, ns, APP, 'Ready again after the rebuild', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.reason !== 'PrimaryMissing'),
    );
    expect(after.phase).toBe('Failed');
    expect(after.revision).toBe(failed.revision);
    expect(after.lastPromotedRevision).toBe(promoted);
    const readyCondition = (after.conditions ?? []).find((c) => c.type === 'Ready');
    expect(readyCondition?.reason).not.toBe('Succeeded');
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'PrimaryMissing'),
    );
    const missing = events.find((ev) => ev.reason === 'PrimaryMissing');
    expect(missing?.type).toBe('Warning');
    expect(missing?.note).toContain(`the stored template of revision ${shortRevision(promoted)}`);
    expect(events.filter((ev) => ev.reason === 'Succeeded')).toEqual([]);
    const primary = await getDeployment(e.admin, ns, PRIMARY);
    expect(imageOf(primary)).toBe(GOOD_IMAGE);
    await waitForStored(e, ns, promoted);
  });
});

describe('in the middle of a run', () => {
  const ns = 'e2e-rebuild-midrun';
  const deployed = initializedCanary(e, ns);
  const primaries = recordPrimary(ns);

  it('rebuilds the primary from the promoted template, then the run resumes and promotes', async () => {
    const { split } = deployed;
    const promoted = (await getCanary(e, ns, APP)).status?.lastPromotedRevision;
    if (promoted === undefined) throw new Error('nothing promoted');
    await waitForStored(e, ns, promoted);

    await newImage(ns, 'podinfo:6.8.0');
    const atStep = await waitForStepDone(e, ns, split, 20);
    expect(atStep.phase).toBe('Progressing');
    const rebuilt = await primaries.rebuilt(await deletePrimary(ns));
    // Not the target's template under analysis: the promoted one.
    expect(rebuilt.image).toBe(GOOD_IMAGE);
    expect(rebuilt.revision).toBe(promoted);
    expect(rebuilt.revision).not.toBe(atStep.revision);

    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).toBe(atStep.revision);
    expect(done.lastPromotedRevision).toBe(atStep.revision);
    await split.reached(0);
    const primary = await getDeployment(e.admin, ns, PRIMARY);
    expect(primary?.metadata?.uid).toBe(rebuilt.uid);
    expect(imageOf(primary)).toBe('podinfo:6.8.0');
    // The newly promoted template replaces the older one.
    await waitForStored(e, ns, done.revision ?? '');
  });
});

// End-to-end, issue 22 items 1 and 3: the controller, run as its ServiceAccount under the shipped
// RBAC (deploy/rbac.yaml), reads only the Secrets a Canary references. 2,000 unrelated Secrets in
// other namespaces exist before it starts; the API server's audit log (every request of the
// controller's identity) shows no list of Secrets at all, and every get or watch of a Secret on a
// referenced name in the Canary's namespace. The cache watches exactly the referenced names
// (weightlifter_cache_watched_names) and drops them with the Canary. A referenced Secret's change
// is a new revision. What the shipped RBAC lets the controller do, as the API server itself
// answers for the controller's own identity (kubectl auth can-i --list, a SelfSubjectRulesReview),
// matches the reviewed lists in test/integration/golden/ (regenerate: WL_WRITE_GOLDEN=1).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { auditPolicyFor } from '../../bench/audit-log.js';
import { PatchStrategy } from '../../src/kube/http-constants.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import { newRevision } from '../e2e/canary-run.js';
import { eventually, phaseIs, startE2E, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, appYaml, canaryYaml, namespaceYaml } from '../e2e/manifests.js';

jest.setTimeout(300_000);

const USER = 'system:serviceaccount:weightlifter-system:weightlifter';
const ns = 'e2e-secret-scope';
const SECRET = 'app-creds';
const REFERENCED = [SECRET, `${SECRET}-primary`].map((n) => `${ns}/${n}`).sort();
const OTHER_NAMESPACES = Array.from({ length: 20 }, (_, i) => `unrelated-${String(i)}`);
const PER_NAMESPACE = 100;
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

let e: E2E;
let auditPath: string;

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** The app of the e2e scenarios, mounting Secret app-creds. */
const appWithSecret = (): string =>
  `${appYaml(ns)}      volumes:\n        - name: creds\n          secret: {secretName: ${SECRET}}\n`;

async function createUnrelatedSecrets(): Promise<void> {
  for (const other of OTHER_NAMESPACES) {
    await e.apply(namespaceYaml(other));
    const names = Array.from({ length: PER_NAMESPACE }, (_, i) => `unrelated-${String(i)}`);
    // Ten at a time: the API server of a loaded 2-core machine.
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(
        names.slice(i, i + 10).map((name) =>
          e.admin.create(collectionPath(BUILTIN.secrets, other), {
            metadata: { name },
            data: { token: b64(`${other}/${name}`) },
          }),
        ),
      );
    }
  }
}

interface AuditEvent {
  readonly auditID: string;
  readonly verb: string;
  readonly user?: { username?: string };
  readonly objectRef?: { resource?: string; namespace?: string; name?: string };
}

/** The controller identity's requests on Secrets, one per request. */
async function secretRequests(): Promise<AuditEvent[]> {
  const seen = new Map<string, AuditEvent>();
  for (const line of (await readFile(auditPath, 'utf8')).split('\n')) {
    if (line === '') continue;
    const ev = JSON.parse(line) as AuditEvent;
    if (ev.user?.username === USER && ev.objectRef?.resource === 'secrets')
      seen.set(ev.auditID, ev);
  }
  return [...seen.values()];
}

/** Waits until a run after `promoted` (lastPromotedRevision before it) has succeeded. */
const promotedAfter = (promoted: string | undefined) =>
  waitForStatus(
    e,
    ns,
    APP,
    'a newer revision promoted',
    (s) => s.phase === 'Succeeded' && s.lastPromotedRevision !== promoted,
  );

const watchedNames = (): Promise<number> =>
  e.controller.metricSum('weightlifter_cache_watched_names', /cache="secrets"/);

/** `kubectl auth can-i --list` as the controller's own identity, in `namespace`. */
async function canIList(namespace: string): Promise<string> {
  const r = await e.world.controlPlane.kubectl(['auth', 'can-i', '--list', '-n', namespace], {
    kubeconfig: e.world.controlPlane.controllerKubeconfig,
  });
  if (r.code !== 0) throw new Error(`kubectl auth can-i --list failed: ${r.stderr}`);
  // Column widths follow the longest entry; the rows are what the golden list reviews.
  return `${r.stdout
    .trim()
    .split('\n')
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}/)
        .join(' | '),
    )
    .join('\n')}\n`;
}

async function golden(file: string, actual: string): Promise<string> {
  if (process.env['WL_WRITE_GOLDEN'] === '1') await writeFile(join(GOLDEN, file), actual);
  return readFile(join(GOLDEN, file), 'utf8');
}

beforeAll(async () => {
  auditPath = join(await mkdtemp(join(tmpdir(), 'wl-e2e-secret-scope-')), 'audit.log');
  e = await startE2E('secret-scope', {
    world: {
      controlPlaneOptions: { auditLog: { path: auditPath, policy: auditPolicyFor(USER) } },
    },
    startController: false,
  });
  await createUnrelatedSecrets();
  await e.controller.start();
  await e.apply(namespaceYaml(ns));
  await e.admin.create(collectionPath(BUILTIN.secrets, ns), {
    metadata: { name: SECRET },
    data: { token: b64('v1') },
  });
  await e.apply(appWithSecret());
  await e.apply(canaryYaml(ns, { stepWeights: [50] }));
  await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
}, 240_000);

afterAll(async () => {
  await (e as E2E | undefined)?.stop();
}, 90_000);

describe('Secrets by reference only', () => {
  it('watches exactly the referenced Secrets: the one the target uses and its -primary copy', async () => {
    expect(await watchedNames()).toBe(REFERENCED.length);
  });

  it("tracks a referenced Secret's change as a new revision, and runs it", async () => {
    const initial = await waitForStatus(e, ns, APP, 'tracked', (s) => s.revision !== undefined);
    const before = initial.trackedConfigs?.[`secret/${SECRET}`];
    expect(before).toBeDefined();
    await e.admin.patch(
      objectPath(BUILTIN.secrets, ns, SECRET),
      { data: { token: b64('v2') } },
      PatchStrategy.MergePatch,
    );
    const running = await waitForStatus(
      e,
      ns,
      APP,
      'a run of the changed Secret',
      (s) => s.trackedConfigs?.[`secret/${SECRET}`] !== before,
    );
    expect(running.revision).not.toBe(initial.revision);
    await promotedAfter(initial.lastPromotedRevision);
    const primaryCopy = await e.admin.get<{ data?: Record<string, string> }>(
      objectPath(BUILTIN.secrets, ns, `${SECRET}-primary`),
    );
    expect(primaryCopy.data?.['token']).toBe(b64('v2'));
  });

  it('never lists a Secret, and reads only referenced names (the audit log)', async () => {
    // A new revision of the template too, so the run above is not the only reconcile checked.
    const promoted = (await waitForStatus(e, ns, APP, 'settled', phaseIs('Succeeded')))
      .lastPromotedRevision;
    await newRevision(e, ns, { 'e2e/secret-scope': 'b' });
    await promotedAfter(promoted);
    const requests = await secretRequests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.verb === 'list')).toEqual([]);
    const reads = requests.filter((r) => r.verb === 'get' || r.verb === 'watch');
    const readKeys = new Set(
      reads.map((r) => `${r.objectRef?.namespace ?? '*'}/${r.objectRef?.name ?? '*'}`),
    );
    expect([...readKeys].sort()).toEqual(REFERENCED);
    // Writes only to the -primary copy.
    const writes = requests.filter((r) => !['get', 'watch'].includes(r.verb));
    expect(new Set(writes.map((r) => r.objectRef?.name))).toEqual(new Set([`${SECRET}-primary`]));
  });

  it('drops the Secrets when the Canary that referenced them is gone', async () => {
    await e.kubectl(['-n', ns, 'delete', 'canary', APP, '--wait=true', '--timeout=90s']);
    await eventually('no Secret watched', async () =>
      (await watchedNames()) === 0 ? true : undefined,
    );
  });
});

describe('the shipped RBAC, as the API server answers for the controller', () => {
  it.each([
    ['a tenant namespace', ns, 'rbac-can-i-tenant.txt'],
    ["the controller's namespace", 'weightlifter-system', 'rbac-can-i-controller-namespace.txt'],
  ])('in %s matches the golden list', async (_what, namespace, file) => {
    const actual = await canIList(namespace);
    expect(actual).toBe(await golden(file, actual));
  });
});

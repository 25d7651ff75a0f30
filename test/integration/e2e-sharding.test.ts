// End-to-end, issue 14 item 6: sharding over replicas. Two controllers (child processes, the
// controller's ServiceAccount, leader election on) run on one local world, one with
// --watch-label-selector "weightlifter.io/shard in (a)", the other "... in (b)". Each elects its
// own leader on its own Lease. Four Canaries (two per shard, targets labelled alike) each run a
// release to Succeeded, and the API server's audit log shows every write in a shard's namespaces
// made by that shard's replica only, and every list and watch of a namespaced kind sent with the
// replica's selector (so it caches only its shard's objects). A Canary without a shard label is
// touched by neither; a Canary in shard a whose target lacks the label is reported TargetNotFound
// by shard a; and an unsharded main instance ("!weightlifter.io/shard", the deploy/sharded
// variant) picks up the unlabelled Canary and leaves the sharded ones alone; moved into shard b by
// docs/sharding.md's steps, that Canary's next release is run by shard b alone.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { newRevision, waitForEnd } from '../e2e/canary-run.js';
import type { ControllerProcess } from '../e2e/controller-process.js';
import { getCanary, phaseIs, startE2E, waitForStatus, type E2E } from '../e2e/harness.js';
import { APP, appYaml, canaryYaml, namespaceYaml } from '../e2e/manifests.js';
import { canaryEvents, getDeployment, getLease } from '../e2e/observers.js';

jest.setTimeout(300_000);

const LEASE_NS = 'weightlifter-system';
const SHARD_KEY = 'weightlifter.io/shard';
const SHARDS = {
  a: ['e2e-shard-a1', 'e2e-shard-a2'],
  b: ['e2e-shard-b1', 'e2e-shard-b2'],
} as const;
const UNSHARDED = 'e2e-shard-none';
/** A Canary in shard a whose target Deployment does not carry the shard label. */
const TARGET_OUTSIDE = 'e2e-shard-a-target-outside';
const selectorOf = (shard: string): string => `${SHARD_KEY} in (${shard})`;

let e: E2E;
let replicas: Record<'a' | 'b', ControllerProcess>;
let auditPath: string;

beforeAll(async () => {
  auditPath = join(await mkdtemp(join(tmpdir(), 'wl-e2e-shard-')), 'audit.log');
  e = await startE2E('shard', {
    world: { controlPlaneOptions: { auditLog: { path: auditPath } } },
    controllerArgs: ['--leader-elect', '--lease-namespace', LEASE_NS],
    startController: false,
  });
  replicas = {
    a: e.addController('a', ['--watch-label-selector', selectorOf('a')]),
    b: e.addController('b', ['--watch-label-selector', selectorOf('b')]),
  };
}, 180_000);

afterAll(async () => {
  await (e as E2E | undefined)?.stop();
}, 90_000);

async function deployApp(
  ns: string,
  labels: { app?: Record<string, string>; canary?: Record<string, string> },
): Promise<void> {
  await e.apply(namespaceYaml(ns));
  await e.apply(appYaml(ns, labels.app === undefined ? {} : { labels: labels.app }));
  await e.apply(
    canaryYaml(ns, {
      stepWeights: [20, 50],
      ...(labels.canary === undefined ? {} : { labels: labels.canary }),
    }),
  );
}

interface AuditEvent {
  readonly verb: string;
  readonly userAgent?: string;
  readonly requestURI: string;
  readonly objectRef?: { resource?: string; namespace?: string; name?: string };
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const agentOf = (c: ControllerProcess): string => `weightlifter (${c.identity ?? ''})`;

async function auditEvents(): Promise<AuditEvent[]> {
  const text = await readFile(auditPath, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Who wrote in `ns`: the User-Agents of every controller write there. */
async function writersIn(ns: string): Promise<Set<string>> {
  return new Set(
    (await auditEvents())
      .filter(
        (ev) =>
          WRITES.has(ev.verb) &&
          ev.objectRef?.namespace === ns &&
          ev.userAgent?.startsWith('weightlifter (') === true,
      )
      .map((ev) => ev.userAgent ?? ''),
  );
}

/**
 * Reads that carry no shard selector: the cluster-scoped templates every shard caches whole, and
 * Secrets, which are read one by one by name (a fieldSelector on metadata.name), never listed.
 */
const sharedCache = (ev: AuditEvent): boolean =>
  ev.objectRef?.resource === 'clusteranalysistemplates' ||
  (ev.objectRef?.resource === 'secrets' &&
    (
      new URL(ev.requestURI, 'https://apiserver').searchParams.get('fieldSelector') ?? ''
    ).startsWith('metadata.name='));

describe('two shards on one world', () => {
  it('each replica leads its own shard on its own Lease', async () => {
    await Promise.all([replicas.a.start(), replicas.b.start()]);
    for (const [shard, c] of Object.entries(replicas)) {
      await c.waitForLog((l) => l.msg === 'started leading');
      const lease = await getLease(e.admin, LEASE_NS, `weightlifter-controller-${shard}`);
      expect(lease?.spec?.holderIdentity).toBe(c.identity);
    }
    // Nobody holds the unsharded Lease.
    expect(await getLease(e.admin, LEASE_NS, 'weightlifter-controller')).toBeUndefined();
  });

  it("runs every Canary's release with the replica of its shard", async () => {
    for (const [shard, namespaces] of Object.entries(SHARDS)) {
      for (const ns of namespaces) {
        await deployApp(ns, { app: { [SHARD_KEY]: shard }, canary: { [SHARD_KEY]: shard } });
      }
    }
    await deployApp(UNSHARDED, {});
    await deployApp(TARGET_OUTSIDE, { canary: { [SHARD_KEY]: 'a' } });
    const sharded = [...SHARDS.a, ...SHARDS.b];
    for (const ns of sharded) {
      await waitForStatus(e, ns, APP, 'Initialized', phaseIs('Initialized'));
    }
    for (const ns of sharded) await newRevision(e, ns, { 'example.com/rev': '2' });
    for (const ns of sharded) {
      const done = await waitForEnd(e, ns);
      expect([ns, done.phase]).toEqual([ns, 'Succeeded']);
      // What the controller created for the Canary carries its shard label.
      const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
      expect(primary?.metadata?.labels?.[SHARD_KEY]).toBe(ns.includes('-a') ? 'a' : 'b');
    }
  });

  it('writes in a shard come from that shard’s replica only; its Events name it', async () => {
    for (const [shard, namespaces] of Object.entries(SHARDS)) {
      const c = replicas[shard as 'a' | 'b'];
      for (const ns of namespaces) {
        expect([ns, [...(await writersIn(ns))]]).toEqual([ns, [agentOf(c)]]);
        const events = await canaryEvents(e.admin, ns);
        expect(events.length).toBeGreaterThan(0);
        expect([ns, [...new Set(events.map((ev) => ev.reportingInstance))]]).toEqual([
          ns,
          [c.identity],
        ]);
      }
    }
  });

  it('each replica lists and watches only its shard: every namespaced list and watch carries its selector', async () => {
    const events = await auditEvents();
    for (const [shard, c] of Object.entries(replicas)) {
      const reads = events.filter(
        (ev) =>
          ev.userAgent === agentOf(c) &&
          (ev.verb === 'list' || ev.verb === 'watch') &&
          ev.objectRef?.resource !== 'leases' &&
          !sharedCache(ev),
      );
      expect(reads.length).toBeGreaterThan(8);
      // The stored promoted templates' cache adds its own label to the shard's selector.
      const without = reads.filter(
        (ev) =>
          !(
            new URL(ev.requestURI, 'https://apiserver').searchParams.get('labelSelector') ?? ''
          ).endsWith(selectorOf(shard)),
      );
      expect(without.map((ev) => ev.requestURI)).toEqual([]);
      // Its own metrics know only its shard's Canaries.
      const known = new Set(
        [
          ...(await c.metricsText()).matchAll(
            /^weightlifter_canary_weight\{[^}]*namespace="([^"]+)"/gm,
          ),
        ].map((m) => m[1]),
      );
      const expected: string[] = [...SHARDS[shard as 'a' | 'b']];
      if (shard === 'a') expected.push(TARGET_OUTSIDE);
      expect([...known].sort()).toEqual(expected.sort());
    }
  });

  it('a Canary without a shard label is touched by neither shard', async () => {
    const canary = await getCanary(e, UNSHARDED, APP);
    expect(canary.status).toBeUndefined();
    expect(canary.metadata.finalizers ?? []).toEqual([]);
    expect(await getDeployment(e.admin, UNSHARDED, `${APP}-primary`)).toBeUndefined();
    expect(await writersIn(UNSHARDED)).toEqual(new Set());
  });

  it('a Canary in shard a whose target lacks the shard label: TargetNotFound, nothing created', async () => {
    const status = await waitForStatus(e, TARGET_OUTSIDE, APP, 'Ready=False', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'False'),
    );
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.reason).toBe('TargetNotFound');
    const events = await canaryEvents(e.admin, TARGET_OUTSIDE);
    expect(events.filter((ev) => ev.reason === 'TargetNotFound').map((ev) => ev.type)).toEqual([
      'Warning',
    ]);
    expect(await getDeployment(e.admin, TARGET_OUTSIDE, `${APP}-primary`)).toBeUndefined();
    expect(await writersIn(TARGET_OUTSIDE)).toEqual(new Set([agentOf(replicas.a)]));
  });

  it('the unsharded main instance ("!weightlifter.io/shard") takes the unlabelled Canary only', async () => {
    const main = e.addController('main', ['--watch-label-selector', `!${SHARD_KEY}`]);
    await main.start();
    await main.waitForLog((l) => l.msg === 'started leading');
    // The main instance keeps the unsharded controller's Lease.
    const lease = await getLease(e.admin, LEASE_NS, 'weightlifter-controller');
    expect(lease?.spec?.holderIdentity).toBe(main.identity);
    await waitForStatus(e, UNSHARDED, APP, 'Initialized', phaseIs('Initialized'));
    expect(await writersIn(UNSHARDED)).toEqual(new Set([agentOf(main)]));
    // It started with every Canary it sees queued once; it wrote to none of the shards'.
    for (const ns of [...SHARDS.a, ...SHARDS.b, TARGET_OUTSIDE]) {
      expect([ns, (await writersIn(ns)).has(agentOf(main))]).toEqual([ns, false]);
    }
  });

  it('moves the Canary into shard b as docs/sharding.md says: objects first, the Canary last', async () => {
    const ns = UNSHARDED;
    const label = `${SHARD_KEY}=b`;
    await e.kubectl([
      '-n',
      ns,
      'label',
      'deployment,service,controllerrevision,trafficsplit',
      '-l',
      `weightlifter.io/canary=${APP}`,
      label,
    ]);
    await e.kubectl(['-n', ns, 'label', `deployment/${APP}`, label]);
    // The main instance no longer sees the target: blocked, traffic left where it is.
    await waitForStatus(e, ns, APP, 'TargetNotFound', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === 'TargetNotFound'),
    );
    await e.kubectl(['-n', ns, 'label', `canary/${APP}`, label]);
    await waitForStatus(e, ns, APP, 'Ready again', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    const before = (await auditEvents()).length;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    const after = (await auditEvents())
      .slice(before)
      .filter(
        (ev) =>
          WRITES.has(ev.verb) &&
          ev.objectRef?.namespace === ns &&
          ev.userAgent?.startsWith('weightlifter (') === true,
      );
    expect(new Set(after.map((ev) => ev.userAgent))).toEqual(new Set([agentOf(replicas.b)]));
  });
});

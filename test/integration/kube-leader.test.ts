// Leader election on a real coordination.k8s.io/v1 Lease: of two candidates exactly one leads,
// and stopping the leader releases the Lease so the other takes over well before it would expire;
// a client fenced by leadership writes only while its replica leads.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { createLeaseStore, type Lease } from '../../src/kube/lease-store.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';
import { testCluster } from './helpers/env.js';
import { createKubeClients, loadKubeConfig } from '../../src/kube/client.js';
import { KubeRawClient as RawClient } from '../../src/kube/raw-client.js';
import { LeaderFence } from '../../src/kube/write-fence.js';
import { isNotFound } from '../../src/kube/errors.js';

jest.setTimeout(60_000);

const NS = 'kube-leader';
const LEASE = 'weightlifter-test';
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
let raw: KubeRawClient;

function candidate(identity: string, client: KubeRawClient = raw) {
  const log: string[] = [];
  const elector = new LeaderElector({
    store: createLeaseStore(client, NS, LEASE),
    logger,
    identity,
    // Long enough that expiry cannot explain a hand-over inside the test's deadline.
    leaseDurationMs: 30_000,
    renewDeadlineMs: 20_000,
    retryPeriodMs: 300,
    onStartedLeading: () => log.push('started'),
    onStoppedLeading: () => log.push('stopped'),
  });
  return { elector, log };
}

const lease = (): Promise<Lease> => raw.get<Lease>(objectPath(BUILTIN.leases, NS, LEASE));

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('LeaderElector (real Lease)', () => {
  it('lets exactly one of two candidates lead, and hands over promptly on release', async () => {
    const a = candidate('replica-a');
    // A separate client (own connection pool), as a second replica would have.
    const b = candidate(
      'replica-b',
      createKubeClients({ kubeconfigPath: testCluster().kubeconfig }).raw,
    );
    a.elector.start();
    b.elector.start();
    const leader = await eventually('a leader', () =>
      a.elector.isLeader() ? a : b.elector.isLeader() ? b : undefined,
    );
    const follower = leader === a ? b : a;
    // Several renew periods later, still exactly one leader, and it is the Lease's holder.
    await new Promise((r) => setTimeout(r, 2000));
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(leader.elector.isLeader()).toBe(true);
    const held = await lease();
    expect(held.spec?.holderIdentity).toBe(leader.elector.identity);
    expect(held.spec?.leaseDurationSeconds).toBe(30);
    const renewed = Date.parse(held.spec?.renewTime ?? '');
    expect(Date.now() - renewed).toBeLessThan(5_000);

    const released = Date.now();
    await leader.elector.stop();
    expect(leader.log).toEqual(['started', 'stopped']);
    await eventually('the follower to take over', () => follower.elector.isLeader(), 10_000, 50);
    expect(Date.now() - released).toBeLessThan(10_000); // not the 30 s lease expiry
    const taken = await lease();
    expect(taken.spec?.holderIdentity).toBe(follower.elector.identity);
    expect(taken.spec?.leaseTransitions).toBe((held.spec?.leaseTransitions ?? 0) + 1);
    expect(follower.log).toEqual(['started']);

    await follower.elector.stop();
    expect((await lease()).spec?.holderIdentity).toBeUndefined();
  });

  it('refuses writes of a fenced client once its replica stopped leading, and never sends them', async () => {
    const fence = new LeaderFence();
    const fenced = new RawClient(loadKubeConfig({ kubeconfigPath: testCluster().kubeconfig }), {
      fence,
    });
    let started: (signal: AbortSignal) => void = () => undefined;
    const leading = new Promise<AbortSignal>((resolve) => {
      started = resolve;
    });
    const elector: LeaderElector = new LeaderElector({
      store: createLeaseStore(raw, NS, `${LEASE}-fence`),
      logger,
      identity: 'replica-fenced',
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 300,
      onStartedLeading: (signal) => {
        fence.lead(signal, () => elector.isLeader());
        started(signal);
      },
      onStoppedLeading: () => undefined,
    });
    const cm = (name: string) => ({ metadata: { name, namespace: NS }, data: { a: '1' } });
    const configMaps = collectionPath(BUILTIN.configMaps, NS);
    // Before leading: refused, nothing sent.
    await expect(fenced.create(configMaps, cm('before'))).rejects.toMatchObject({
      code: 'WL_NOT_LEADER',
    });
    elector.start();
    const term = await leading;
    await fenced.create(configMaps, cm('during'));
    await elector.stop();
    expect(term.aborted).toBe(true);
    await expect(fenced.create(configMaps, cm('after'))).rejects.toMatchObject({
      code: 'WL_NOT_LEADER',
    });
    // Reads are not fenced: a standby keeps its caches warm.
    await fenced.get(objectPath(BUILTIN.configMaps, NS, 'during'));
    for (const name of ['before', 'after']) {
      const found = await raw.get(objectPath(BUILTIN.configMaps, NS, name)).then(
        () => 'found',
        (err: unknown) => (isNotFound(err) ? 'not found' : err),
      );
      expect(found).toBe('not found');
    }
  });
});

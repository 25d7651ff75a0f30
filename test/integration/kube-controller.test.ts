// The runtime wired end to end on the real API server: informer -> keys -> queue -> reconcile,
// readiness through /readyz, and the performance rule that an idle cluster costs no reconciles
// even while the informer relists.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { Controller, ownKeys } from '../../src/canary/controller.js';
import type { ReconcileResult, Reconciler } from '../../src/runtime/reconciler.js';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import { startHealthServer } from '../../src/telemetry/http-server.js';
import { ControllerMetrics } from '../../src/telemetry/metrics.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'kube-controller';
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
let raw: KubeRawClient;

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('Controller (real API server)', () => {
  it('reconciles on change only, from the cache, and reports readiness', async () => {
    const ref = BUILTIN.configMaps;
    for (const name of ['a', 'b'])
      await raw.create(collectionPath(ref, NS), { metadata: { name }, data: { v: '1' } });

    const metrics = new ControllerMetrics({ processMetrics: false });
    const informer = new Informer<KubeObject>({
      name: 'configmaps',
      listerWatcher: createListerWatcher<KubeObject>(raw, ref, { namespace: NS }),
      logger,
      relistIntervalMs: 700, // aggressive, to prove relists of unchanged objects cause no work
      metrics,
    });
    const reconciled: string[] = [];
    const seenData: unknown[] = [];
    const reconciler: Reconciler = {
      reconcile: (key): Promise<ReconcileResult> => {
        // Only keys of this test's objects; kube-root-ca.crt lives here too.
        if (!/\/(a|b)$/.test(key)) return Promise.resolve({ kind: 'done' });
        reconciled.push(key);
        seenData.push((informer.get(key) as { data?: unknown } | undefined)?.data);
        return Promise.resolve({ kind: 'done' });
      },
    };
    const controller = new Controller({
      name: 'test',
      reconciler,
      sources: [ownKeys(informer)],
      initialKeys: () => informer.keys(),
      logger,
      metrics,
    });
    const server = await startHealthServer({
      port: 0,
      registry: metrics.registry,
      logger,
      readiness: () => controller.readiness(),
    });
    try {
      controller.start();
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      informer.start();
      await eventually(
        '/readyz to turn ready',
        async () => (await fetch(`${server.url}/readyz`)).status === 200,
      );
      await eventually('initial reconciles', () => reconciled.length >= 2);
      expect(reconciled.sort()).toEqual([`${NS}/a`, `${NS}/b`]);

      await raw.patch(objectPath(ref, NS, 'b'), { data: { v: '2' } });
      await eventually('b reconciled after its change', () => reconciled.length === 3);
      expect(reconciled[2]).toBe(`${NS}/b`);
      expect(seenData[2]).toEqual({ v: '2' }); // read from the cache, already updated

      // Idle: several periodic relists, no reconciles.
      const relists = async (): Promise<number> => {
        const m =
          (await metrics.registry.getSingleMetric('weightlifter_informer_relists_total')?.get())
            ?.values ?? [];
        return m.filter((v) => v.labels['reason'] === 'periodic').reduce((n, v) => n + v.value, 0);
      };
      await eventually('three periodic relists', async () => (await relists()) >= 3, 15_000);
      expect(reconciled).toHaveLength(3);

      const scrape = await (await fetch(`${server.url}/metrics`)).text();
      expect(scrape).toMatch(
        /weightlifter_reconcile_duration_seconds_count\{result="done"\} [3-9]/,
      );
      expect(scrape).toContain('weightlifter_informer_synced{informer="configmaps"} 1');
    } finally {
      await controller.stop();
      await informer.stop();
      await server.close();
    }
  });
});

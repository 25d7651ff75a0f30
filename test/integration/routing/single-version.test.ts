// A cluster whose mesh serves exactly one TrafficSplit version (linkerd-smi: v1alpha1/2, OSM:
// v1alpha2, Traefik: v1alpha3, the SDK CRD: v1alpha4), each on its own control plane: discovery
// must find that version, the router must write it, and a Canary pinning another version must
// get TrafficSplitUnavailable instead of a write to a version nobody serves.
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAFFIC_SPLIT_VERSIONS, type TrafficSplitVersion } from '../../../src/api/smi.js';
import { createKubeClients } from '../../../src/kube/client.js';
import { objectPath } from '../../../src/kube/resources.js';
import { startControlPlane, type ControlPlane } from '../../../dev/local/control-plane.js';
import { writeTrafficSplitVariant } from '../../../dev/local/smi-crds.js';
import { fetchServedSplitVersions } from '../../../src/routing/discovery.js';
import {
  RoutingUnavailableError,
  TrafficSplitUnavailableError,
} from '../../../src/routing/errors.js';
import { createRouters, createTrafficRouter } from '../../../src/routing/factory.js';
import { splitRef, type LiveSplit } from '../../../src/routing/traffic-split.js';
import { createNamespace } from '../kube-fixtures.js';
import { cached, createCanary, logger, routerDeps, startCaches } from '../workload/harness.js';

jest.setTimeout(180_000);

let cp: ControlPlane | undefined;

afterAll(async () => {
  await cp?.stop();
});

// The versions at once, each on its own control plane (no controller manager: 3 processes each).
describe('a cluster serving only one TrafficSplit version', () => {
  it.concurrent.each(TRAFFIC_SPLIT_VERSIONS.map((v) => [v]))(
    '%s: is discovered and written; pinning another version is refused',
    async (version) => {
      const variants = await mkdtemp(join(tmpdir(), `weightlifter-split-${version}-`));
      const files = await writeTrafficSplitVariant(variants, [version]);
      const own = await startControlPlane({ smiCrdFiles: files, controllerManager: false, logger });
      try {
        const { raw } = createKubeClients({ kubeconfigPath: own.adminKubeconfig });
        expect(await fetchServedSplitVersions(raw)).toEqual([version]);

        const ns = 'single';
        await createNamespace(raw, ns);
        const caches = await startCaches(raw, ns, version);
        try {
          const deps = await routerDeps(raw, caches);
          // The controller would watch this version, the only one served.
          expect(deps.routers.flatMap((r) => r.resources())).toEqual([splitRef(version)]);
          const canary = await createCanary(raw, ns, 'web');
          const router = await createTrafficRouter(canary, deps);
          expect(router.resources()).toEqual([splitRef(version)]);
          await router.reconcile();
          // getRoutes() is null (not undefined) until the informer has the split.
          await cached('split cached', () => router.getRoutes() ?? undefined);
          await router.setRoutes(75, 25);
          const split = await raw.get<LiveSplit>(objectPath(splitRef(version), ns, 'web'));
          expect(split.apiVersion).toBe(`split.smi-spec.io/${version}`);
          expect(split.spec?.backends).toEqual([
            { service: 'web-primary', weight: version === 'v1alpha1' ? '75' : 75 },
            { service: 'web-canary', weight: version === 'v1alpha1' ? '25' : 25 },
          ]);

          const other: TrafficSplitVersion = version === 'v1alpha4' ? 'v1alpha1' : 'v1alpha4';
          const pinned = await createCanary(raw, ns, 'pinned', { routing: { smiVersion: other } });
          await expect(createTrafficRouter(pinned, deps)).rejects.toThrow(
            TrafficSplitUnavailableError,
          );
        } finally {
          await caches.stop();
        }
      } finally {
        await own.stop();
        await rm(variants, { recursive: true, force: true });
      }
    },
  );
});

describe('a cluster without TrafficSplit (nor HTTPRoute)', () => {
  it('reports TrafficSplitUnavailable for smi, RoutingUnavailable naming both APIs for auto', async () => {
    await cp?.stop();
    cp = await startControlPlane({ smiCrdFiles: [], controllerManager: false, logger });
    const { raw } = createKubeClients({ kubeconfigPath: cp.adminKubeconfig });
    expect(await fetchServedSplitVersions(raw)).toEqual([]);
    await createNamespace(raw, 'none');
    const canary = await createCanary(raw, 'none', 'web');
    // Nothing to watch, so the controller's caches have nothing for the router to read.
    const deps = {
      routers: await createRouters({ raw, logger, now: Date.now }),
      read: () => ({ getByName: () => undefined, list: () => [] }),
    };
    expect(deps.routers.flatMap((r) => r.resources())).toEqual([]);
    const smi = { ...canary, spec: { ...canary.spec, routing: { provider: 'smi' as const } } };
    await expect(createTrafficRouter(smi, deps)).rejects.toThrow(TrafficSplitUnavailableError);
    const auto = createTrafficRouter(canary, deps);
    await expect(auto).rejects.toThrow(RoutingUnavailableError);
    await expect(auto).rejects.toThrow(/split\.smi-spec\.io.*gateway\.networking\.k8s\.io/);
  });
});

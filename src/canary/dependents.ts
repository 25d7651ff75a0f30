// Which Canaries an event on another object concerns. Handlers must not do I/O, so every lookup
// goes through the informer caches (the Canary indexes, owner references, the target's pod
// template) — never the API server.
import { KINDS } from '../api/constants.js';
import { deepEqual } from '../kube/merge-patch.js';
import { keysFrom, ownKeys, type KeySource } from './controller.js';
import type { KubeObject } from '../kube/object-key.js';
import type { ResourceRef } from '../kube/resources.js';
import { SERVICE_NAME_LABEL } from '../routing/endpoints.js';
import { configRefs, type ConfigKind } from '../workload/config-refs.js';
import { CANARY_INDEX, type ControllerCaches } from './caches.js';
import { routedKey } from './routed-caches.js';

const nsOf = (o: KubeObject): string => o.metadata?.namespace ?? '';
const nameOf = (o: KubeObject): string => o.metadata?.name ?? '';
const keyOfCanary = (o: KubeObject): string => `${nsOf(o)}/${nameOf(o)}`;

/** Canaries holding an owner reference on `obj` (controller or not: config copies are shared). */
function owners(obj: KubeObject): string[] {
  return (obj.metadata?.ownerReferences ?? [])
    .filter((r) => r.kind === KINDS.canary && r.apiVersion.startsWith('weightlifter.io/'))
    .map((r) => `${nsOf(obj)}/${r.name}`);
}

const stripSuffix = (name: string, suffixes: readonly string[]): string[] =>
  suffixes.filter((s) => name.endsWith(s)).map((s) => name.slice(0, -s.length));

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

export function canaryKeysForDeployment(caches: ControllerCaches, dep: KubeObject): string[] {
  const ns = nsOf(dep);
  const names = [nameOf(dep), ...stripSuffix(nameOf(dep), ['-primary'])];
  const byTarget = names.flatMap((n) =>
    caches.canaries.byIndex(CANARY_INDEX.byTarget, `${ns}/${n}`).map(keyOfCanary),
  );
  return unique([...owners(dep), ...byTarget]);
}

/** Services (the apex, -primary, -canary) and EndpointSlices (via their Service). */
export function canaryKeysForServiceName(
  caches: ControllerCaches,
  namespace: string,
  service: string,
): string[] {
  const names = [service, ...stripSuffix(service, ['-primary', '-canary'])];
  return unique(
    names.flatMap((n) =>
      caches.canaries.byIndex(CANARY_INDEX.byService, `${namespace}/${n}`).map(keyOfCanary),
    ),
  );
}

export function canaryKeysForConfig(
  caches: ControllerCaches,
  kind: ConfigKind,
  obj: KubeObject,
): string[] {
  const ns = nsOf(obj);
  const names = new Set([nameOf(obj), ...stripSuffix(nameOf(obj), ['-primary'])]);
  const users = caches.canaries.list(ns).filter((c) => {
    const target = caches.deployments.getByName(ns, c.spec.targetRef.name);
    return configRefs(target?.spec?.template).some((r) => r.kind === kind && names.has(r.name));
  });
  return unique([...owners(obj), ...users.map(keyOfCanary)]);
}

/** An HPA: the Canaries whose spec.autoscalerRef names it, and the owner of a -primary copy. */
export function canaryKeysForAutoscaler(caches: ControllerCaches, hpa: KubeObject): string[] {
  const users = caches.canaries
    .list(nsOf(hpa))
    .filter((c) => c.spec.autoscalerRef?.name === nameOf(hpa));
  return unique([...owners(hpa), ...users.map(keyOfCanary)]);
}

/** An HPA update that changed its spec or its owners (not only its status). */
export function autoscalerChanged(old: KubeObject, obj: KubeObject): boolean {
  return (
    old.metadata?.generation !== obj.metadata?.generation ||
    !deepEqual(old.metadata?.ownerReferences ?? [], obj.metadata?.ownerReferences ?? [])
  );
}

/** An object of a router's resource: the Canaries whose router writes it (Router.objectsOf). */
export function canaryKeysForRouted(
  caches: ControllerCaches,
  ref: ResourceRef,
  obj: KubeObject,
): string[] {
  return caches.canaries
    .byIndex(CANARY_INDEX.byRouted, routedKey(ref, nsOf(obj), nameOf(obj)))
    .map(keyOfCanary);
}

function canaryKeysForTemplate(
  caches: ControllerCaches,
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
  tpl: KubeObject,
): string[] {
  const candidates =
    kind === 'AnalysisTemplate' ? caches.canaries.list(nsOf(tpl)) : caches.canaries.list();
  return candidates
    .filter((c) =>
      (c.spec.analysis?.metrics ?? []).some(
        (m) =>
          m.templateRef?.name === nameOf(tpl) &&
          (m.templateRef.kind ?? 'AnalysisTemplate') === kind,
      ),
    )
    .map(keyOfCanary);
}

/** The key sources of the canary controller: Canaries themselves, and everything they depend on. */
export function canaryKeySources(caches: ControllerCaches): KeySource[] {
  const sources: KeySource[] = [
    ownKeys(caches.canaries),
    keysFrom(caches.deployments, (e) => canaryKeysForDeployment(caches, e.obj)),
    keysFrom(caches.services, (e) => canaryKeysForServiceName(caches, nsOf(e.obj), nameOf(e.obj))),
    ...caches.routed
      .all()
      .map(({ ref, cache }) => keysFrom(cache, (e) => canaryKeysForRouted(caches, ref, e.obj))),
    keysFrom(caches.configMaps, (e) => canaryKeysForConfig(caches, 'configmap', e.obj)),
    // Only referenced Secrets are watched, and the cache knows which Canaries reference each.
    keysFrom(caches.secrets, (e) => caches.secrets.holdersOf(e.key)),
    keysFrom(caches.templates, (e) => canaryKeysForTemplate(caches, 'AnalysisTemplate', e.obj)),
    // The HPA controller rewrites an HPA's status at every sync: only spec (generation) and
    // owner changes concern a Canary.
    keysFrom(caches.autoscalers, (e) =>
      e.old !== undefined && !autoscalerChanged(e.old, e.obj)
        ? []
        : canaryKeysForAutoscaler(caches, e.obj),
    ),
    // A stored promoted template created or deleted: observe's promotedTemplate changes.
    keysFrom(caches.promoted, (e) => owners(e.obj)),
    keysFrom(caches.clusterTemplates, (e) =>
      canaryKeysForTemplate(caches, 'ClusterAnalysisTemplate', e.obj),
    ),
  ];
  if (caches.slices !== undefined) {
    sources.push(
      keysFrom(caches.slices, (e) => {
        const service = e.obj.metadata?.labels?.[SERVICE_NAME_LABEL];
        return service === undefined ? [] : canaryKeysForServiceName(caches, nsOf(e.obj), service);
      }),
    );
  }
  return sources;
}

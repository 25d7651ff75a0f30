// Writes of the stored promoted template (see promoted-template.ts): recording the live primary
// once it runs the promoted revision, and rebuilding a deleted primary from it.
import type { Canary } from '../api/canary.js';
import { primaryName } from '../api/defaults.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import { BUILTIN, collectionPath, objectPath } from '../kube/resources.js';
import type { ObjectReader } from '../kube/object-reader.js';
import { targetOf } from './config-tracking.js';
import type { WorkloadDeps } from './deps.js';
import { WorkloadSpecError } from './errors.js';
import { primaryRevisionOf } from './primary-builder.js';
import {
  buildPromotedTemplate,
  configMapFromStored,
  latestStoredTemplate,
  primaryFromStored,
  storedConfigs,
  storedTemplatesOf,
  type ControllerRevisionJson,
} from './promoted-template.js';

export interface PromotedDeps extends WorkloadDeps {
  readonly promoted: ObjectReader<ControllerRevisionJson>;
}

/**
 * Stores the live primary's template as the promoted `revision` and deletes this Canary's older
 * stored templates (only the latest is kept). Does nothing unless the primary runs `revision`.
 */
export async function recordPromotedTemplate(
  deps: PromotedDeps,
  canary: Canary,
  revision: string,
): Promise<void> {
  const ns = canary.metadata.namespace ?? '';
  const primary = deps.caches.deployments.getByName(ns, primaryName(canary.spec));
  if (primary === undefined || primaryRevisionOf(primary) !== revision) return;
  const existing = storedTemplatesOf(canary, deps.promoted);
  const current = existing.find((cr) => cr.data?.revision === revision);
  if (current === undefined) {
    const body = buildPromotedTemplate({
      canary,
      primary,
      revision,
      configs: storedConfigs(primary, deps.caches),
      sequence: Math.max(0, ...existing.map((cr) => cr.revision ?? 0)) + 1,
    });
    try {
      await deps.raw.create(collectionPath(BUILTIN.controllerRevisions, ns), body);
      deps.logger.info({ revision, name: body.metadata?.name }, 'promoted template stored');
    } catch (err) {
      // Created by an earlier step the cache has not delivered yet: the same content.
      if (!isAlreadyExists(err)) throw err;
    }
  }
  for (const old of existing) {
    if (old === current) continue;
    try {
      await deps.raw.delete(objectPath(BUILTIN.controllerRevisions, ns, old.metadata?.name ?? ''));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/**
 * Creates the missing primary from the stored template of the promoted revision (never from the
 * target's template), with the ConfigMap copies it used when they are missing too. A missing
 * Secret copy cannot be rebuilt (its data is never stored): the primary is not created.
 */
export async function ensurePrimaryFromStored(deps: PromotedDeps, canary: Canary): Promise<void> {
  const ns = canary.metadata.namespace ?? '';
  if (deps.caches.deployments.getByName(ns, primaryName(canary.spec)) !== undefined) return;
  const stored = latestStoredTemplate(canary, deps.promoted);
  if (stored === undefined) {
    throw new WorkloadSpecError(
      'primaryTemplateUnavailable',
      'the primary Deployment is missing and no promoted template is stored',
      { details: { namespace: ns } },
    );
  }
  for (const config of stored.configs) {
    const reader = config.kind === 'configmap' ? deps.caches.configMaps : deps.caches.secrets;
    if (reader.getByName(ns, config.name) !== undefined) continue;
    if (config.kind === 'secret') {
      throw new WorkloadSpecError(
        'primaryTemplateUnavailable',
        `Secret ${config.name} (the primary's copy of the promoted revision's Secret) is missing ` +
          'and Secret data is never stored: restore it to let weightlifter rebuild the primary',
        { details: { namespace: ns, name: config.name } },
      );
    }
    try {
      await deps.raw.create(
        collectionPath(BUILTIN.configMaps, ns),
        configMapFromStored(canary, config),
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const target = deps.caches.deployments.getByName(ns, canary.spec.targetRef.name);
  const own = target === undefined ? 0 : (targetOf(canary, deps.caches).spec?.replicas ?? 1);
  const replicas = own > 0 ? own : Math.max(stored.deployment.spec?.replicas ?? 1, 1);
  const body = primaryFromStored(canary, stored, replicas);
  await deps.raw.create(collectionPath(BUILTIN.deployments, ns), body);
  deps.logger.info({ revision: stored.revision }, 'primary rebuilt from the promoted template');
}

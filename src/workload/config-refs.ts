// ConfigMaps and Secrets a pod template uses (env valueFrom, envFrom, volumes, projected volume
// sources; containers and init containers), and the template rewritten to use `-primary` copies.
import type { ContainerJson, PodTemplateJson } from './k8s-types.js';

export type ConfigKind = 'configmap' | 'secret';

export interface ConfigRef {
  readonly kind: ConfigKind;
  readonly name: string;
  /** Every reference to it is optional (a missing object is then not an error). */
  readonly optional: boolean;
}

/** `configmap/<name>` or `secret/<name>`, the key used in status.trackedConfigs. */
export const configKey = (kind: ConfigKind, name: string): string => `${kind}/${name}`;

export function configRefs(template: PodTemplateJson | undefined): ConfigRef[] {
  const found = new Map<string, ConfigRef>();
  const add = (kind: ConfigKind, name: string | undefined, optional: boolean | undefined): void => {
    if (name === undefined || name === '') return;
    const key = configKey(kind, name);
    const prev = found.get(key);
    // One required reference makes the object required.
    found.set(key, { kind, name, optional: (prev?.optional ?? true) && optional === true });
  };
  const spec = template?.spec;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      const s = e.valueFrom?.secretKeyRef;
      if (cm !== undefined) add('configmap', cm.name, cm.optional);
      if (s !== undefined) add('secret', s.name, s.optional);
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef !== undefined)
        add('configmap', e.configMapRef.name, e.configMapRef.optional);
      if (e.secretRef !== undefined) add('secret', e.secretRef.name, e.secretRef.optional);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.configMap !== undefined) add('configmap', v.configMap.name, v.configMap.optional);
    if (v.secret !== undefined) add('secret', v.secret.secretName, v.secret.optional);
    for (const src of v.projected?.sources ?? []) {
      if (src.configMap !== undefined) add('configmap', src.configMap.name, src.configMap.optional);
      if (src.secret !== undefined) add('secret', src.secret.name, src.secret.optional);
    }
  }
  return [...found.values()].sort((a, b) =>
    configKey(a.kind, a.name).localeCompare(configKey(b.kind, b.name)),
  );
}

export const primaryConfigName = (name: string): string => `${name}-primary`;

/**
 * A deep copy of `template` in which references to the configs in `copied` (configKey values)
 * point at their `-primary` copies; other references are left alone.
 */
export function withPrimaryConfigRefs(
  template: PodTemplateJson,
  copied: ReadonlySet<string>,
): PodTemplateJson {
  const t = structuredClone(template);
  const rename = (kind: ConfigKind, name: string | undefined): string | undefined =>
    name !== undefined && copied.has(configKey(kind, name)) ? primaryConfigName(name) : name;
  const fix = (ref: { name?: string } | undefined, kind: ConfigKind): void => {
    if (ref?.name !== undefined) ref.name = rename(kind, ref.name) ?? ref.name;
  };
  const containers: ContainerJson[] = [
    ...(t.spec?.containers ?? []),
    ...(t.spec?.initContainers ?? []),
  ];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      fix(e.valueFrom?.configMapKeyRef, 'configmap');
      fix(e.valueFrom?.secretKeyRef, 'secret');
    }
    for (const e of c.envFrom ?? []) {
      fix(e.configMapRef, 'configmap');
      fix(e.secretRef, 'secret');
    }
  }
  for (const v of t.spec?.volumes ?? []) {
    fix(v.configMap, 'configmap');
    if (v.secret?.secretName !== undefined) {
      v.secret.secretName = rename('secret', v.secret.secretName) ?? v.secret.secretName;
    }
    for (const src of v.projected?.sources ?? []) {
      fix(src.configMap, 'configmap');
      fix(src.secret, 'secret');
    }
  }
  return t;
}

// The canonical revision of a target: sha256 over sorted-key JSON of its pod template plus the data
// hashes of the ConfigMaps/Secrets it uses. A revision change starts a canary run, so the hash must
// change exactly when the pods would behave differently — and must NOT change when only the
// representation does (Flagger hashes a Go struct dump, so a client-library upgrade that adds
// PodSpec fields restarted every canary: flagger#1673).
//
// What is ignored, and why:
// - key order: JSON producers (Go structs, client-node models, YAML tools) order keys differently;
//   keys are sorted recursively. Array order is kept: containers, env (later entries may refer to
//   earlier ones) and volume mounts are ordered by meaning.
// - null vs absent: Kubernetes treats an explicit null like an unset optional field, and clients
//   differ in which they emit (`metadata.creationTimestamp: null` in every client-go template).
// - empty objects and arrays vs absent: Go's omitempty drops them, typed clients materialise them
//   (`resources: {}`, `securityContext: {}`, `args: []`). Exception: an empty object that selects a
//   union member keeps its meaning (`emptyDir: {}` makes the volume an emptyDir), so those keys stay.
// - values equal to the API server's defaults (restartPolicy Always, terminationMessagePath,
//   probe timings, defaultMode 420, ...): the cached object carries them, the Git manifest does not,
//   and a newer server may default more; a field set to its default means the same as absent.
// - template metadata other than labels and annotations (name, creationTimestamp: the Deployment
//   controller ignores them), and labels/annotations under our own prefix (weightlifter.io/...):
//   what the controller writes must never look like a user's change.
// Never change these rules without a migration that accepts hashes of the previous rules, or
// every canary restarts on upgrade — the very bug this file exists to avoid.
import { createHash } from 'node:crypto';
import { canonicalJson, toJson, type Json } from '../kube/canonical-json.js';

type JsonObject = { [key: string]: Json };

export interface TrackedConfig {
  readonly kind: 'configmap' | 'secret';
  readonly name: string;
  readonly data?: Readonly<Record<string, string>> | undefined;
  readonly binaryData?: Readonly<Record<string, string>> | undefined;
}

export interface RevisionOptions {
  /** Label/annotation key prefixes the controller itself writes; default ['weightlifter.io/']. */
  readonly ownPrefixes?: readonly string[];
}

export interface Revision {
  /** 64 hex chars. */
  readonly revision: string;
  /** `configmap/<name>` or `secret/<name>` -> data hash, as in status.trackedConfigs. */
  readonly trackedConfigs: Readonly<Record<string, string>>;
}

const UNION_SELECTOR_KEYS = new Set([
  'emptyDir',
  'downwardAPI',
  'projected',
  'configMap',
  'secret',
]);
const POD_SPEC_DEFAULTS: JsonObject = {
  restartPolicy: 'Always',
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
  enableServiceLinks: true,
  hostNetwork: false,
  hostPID: false,
  hostIPC: false,
};
const CONTAINER_DEFAULTS: JsonObject = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};
const PROBE_DEFAULTS: JsonObject = {
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};
const MODE_DEFAULTS: JsonObject = { defaultMode: 420 };

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Removes null, [] and {} object members bottom-up (see the header for the {} exception). */
function prune(value: Json, key?: string): Json | undefined {
  if (Array.isArray(value)) {
    const items = value.map((v) => prune(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v, k);
      if (p !== undefined) out[k] = p;
    }
    const keep = key !== undefined && UNION_SELECTOR_KEYS.has(key);
    return Object.keys(out).length === 0 && !keep ? undefined : out;
  }
  return value === null ? undefined : value;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `obj` without the members that equal their default. */
function withoutDefaults(obj: JsonObject, defaults: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([k, v]) => defaults[k] !== v));
}

/** Applies `f` to obj[key] when it is an object. */
function mapField(obj: JsonObject, key: string, f: (o: JsonObject) => JsonObject): JsonObject {
  const v = obj[key];
  return isObject(v) ? { ...obj, [key]: f(v) } : obj;
}

/** Applies `f` to the object items of the array obj[key]. */
function mapItems(obj: JsonObject, key: string, f: (o: JsonObject) => JsonObject): JsonObject {
  const v = obj[key];
  return Array.isArray(v) ? { ...obj, [key]: v.map((i) => (isObject(i) ? f(i) : i)) } : obj;
}

/** Kubernetes defaults imagePullPolicy to Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  const tag = colon === -1 ? 'latest' : last.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const fieldRefDefault = (holder: JsonObject): JsonObject =>
  mapField(holder, 'fieldRef', (r) => withoutDefaults(r, { apiVersion: 'v1' }));

function probeDefaults(probe: JsonObject): JsonObject {
  return mapField(withoutDefaults(probe, PROBE_DEFAULTS), 'httpGet', (h) =>
    withoutDefaults(h, { scheme: 'HTTP' }),
  );
}

function containerDefaults(container: JsonObject): JsonObject {
  let c = withoutDefaults(container, CONTAINER_DEFAULTS);
  if (typeof c.image === 'string')
    c = withoutDefaults(c, { imagePullPolicy: defaultPullPolicy(c.image) });
  c = mapItems(c, 'ports', (p) => withoutDefaults(p, { protocol: 'TCP' }));
  c = mapItems(c, 'env', (e) => mapField(e, 'valueFrom', fieldRefDefault));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
    c = mapField(c, probe, probeDefaults);
  return c;
}

const downwardDefaults = (d: JsonObject): JsonObject => mapItems(d, 'items', fieldRefDefault);

function volumeDefaults(volume: JsonObject): JsonObject {
  let v = volume;
  for (const source of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    v = mapField(v, source, (s) => withoutDefaults(s, MODE_DEFAULTS));
  }
  v = mapField(v, 'hostPath', (h) => withoutDefaults(h, { type: '' }));
  v = mapField(v, 'downwardAPI', downwardDefaults);
  return mapField(v, 'projected', (p) =>
    mapItems(p, 'sources', (src) => mapField(src, 'downwardAPI', downwardDefaults)),
  );
}

function podSpecDefaults(podSpec: JsonObject): JsonObject {
  let spec = withoutDefaults(podSpec, POD_SPEC_DEFAULTS);
  // The server mirrors serviceAccountName into the deprecated serviceAccount field.
  if (spec.serviceAccount === spec.serviceAccountName) {
    spec = withoutDefaults(spec, { serviceAccount: spec.serviceAccount ?? null });
  }
  spec = mapItems(spec, 'containers', containerDefaults);
  spec = mapItems(spec, 'initContainers', containerDefaults);
  return mapItems(spec, 'volumes', volumeDefaults);
}

function filterOwn(map: Json | undefined, prefixes: readonly string[]): Json | undefined {
  if (!isObject(map)) return map;
  return Object.fromEntries(
    Object.entries(map).filter(([k]) => !prefixes.some((p) => k.startsWith(p))),
  );
}

/** The pod template as hashed: own metadata and defaults removed, empties pruned. */
export function normalizePodTemplate(template: unknown, opts: RevisionOptions = {}): Json {
  const prefixes = opts.ownPrefixes ?? ['weightlifter.io/'];
  const t = toJson(template);
  if (!isObject(t)) return null;
  const meta = isObject(t.metadata) ? t.metadata : {};
  const metadata: JsonObject = {};
  const labels = filterOwn(meta.labels, prefixes);
  const annotations = filterOwn(meta.annotations, prefixes);
  if (labels !== undefined) metadata.labels = labels;
  if (annotations !== undefined) metadata.annotations = annotations;
  const normalized: JsonObject = { metadata };
  if (isObject(t.spec)) normalized.spec = podSpecDefaults(t.spec);
  return prune(normalized) ?? null;
}

/** Hash of a ConfigMap's or Secret's data (both maps; Secret values stay base64). */
export function configDataHash(config: TrackedConfig): string {
  return sha256(
    canonicalJson(
      prune(toJson({ data: config.data, binaryData: config.binaryData }) ?? null) ?? {},
    ),
  );
}

export function revisionOf(
  podTemplate: unknown,
  configs: readonly TrackedConfig[],
  opts: RevisionOptions = {},
): Revision {
  const trackedConfigs: Record<string, string> = {};
  for (const c of configs) trackedConfigs[`${c.kind}/${c.name}`] = configDataHash(c);
  const revision = sha256(
    canonicalJson({ template: normalizePodTemplate(podTemplate, opts), configs: trackedConfigs }),
  );
  return { revision, trackedConfigs };
}

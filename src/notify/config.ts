// The notification config: a YAML (or JSON) document, typically a ConfigMap key mounted into the
// controller. It is read once at start-up and every mistake is reported at once, with its path,
// as WL_CONFIG_INVALID — a typo must stop the controller from starting, not silence alerts later.
//
//   cluster: prod-eu                     # optional, shown in every message
//   providers:
//     - name: deploys                    # optional
//       type: slack                      # slack | msteams | discord | generic
//       url: https://hooks.slack.com/services/...
//       # or: urlFrom: {secretKeyRef: {name: weightlifter-alerts, key: slack}}
//       minSeverity: info                # info | warn | error (default info)
//       channel: '#deploys'              # slack only
//       username: weightlifter           # slack, discord
//       timeout: 5s                      # per attempt (default 5s)
//       retries: 2                       # extra attempts (default 2, at most 10)
import { parse } from 'yaml';
import { parseDuration } from '../time/duration.js';
import { WeightlifterError } from '../errors/catalogue.js';
import {
  PROVIDER_TYPES,
  SEVERITIES,
  type NotifyConfig,
  type ProviderConfig,
  type ProviderType,
  type Severity,
} from './types.js';

const DEFAULTS = { minSeverity: 'info', timeoutMs: 5_000, retries: 2, maxRetries: 10 } as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const KNOWN = new Set([
  'name',
  'type',
  'url',
  'urlFrom',
  'minSeverity',
  'channel',
  'username',
  'timeout',
  'retries',
]);

function optionalString(p: Obj, key: string, path: string, errors: string[]): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  errors.push(`${path}.${key}: must be a non-empty string`);
  return undefined;
}

function urlSource(
  p: Obj,
  path: string,
  errors: string[],
): Pick<ProviderConfig, 'url' | 'urlFrom'> {
  const url = optionalString(p, 'url', path, errors);
  const from = p['urlFrom'];
  if ((url === undefined) === (from === undefined)) {
    errors.push(`${path}: exactly one of url and urlFrom is required`);
    return {};
  }
  if (url !== undefined) {
    if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
      errors.push(`${path}.url: must be an absolute http(s) URL`);
    }
    return { url };
  }
  const ref = isObj(from) ? from['secretKeyRef'] : undefined;
  if (
    !isObj(ref) ||
    typeof ref['name'] !== 'string' ||
    typeof ref['key'] !== 'string' ||
    ref['name'] === '' ||
    ref['key'] === ''
  ) {
    errors.push(`${path}.urlFrom: must be {secretKeyRef: {name, key}}`);
    return {};
  }
  return { urlFrom: { secretKeyRef: { name: ref['name'], key: ref['key'] } } };
}

function provider(raw: unknown, index: number, errors: string[]): ProviderConfig | null {
  const path = `providers[${index}]`;
  if (!isObj(raw)) {
    errors.push(`${path}: must be a mapping`);
    return null;
  }
  for (const key of Object.keys(raw))
    if (!KNOWN.has(key)) errors.push(`${path}.${key}: unknown field`);
  const type = raw['type'];
  if (!(PROVIDER_TYPES as readonly unknown[]).includes(type)) {
    errors.push(`${path}.type: must be one of ${PROVIDER_TYPES.join(', ')}`);
    return null;
  }
  const minSeverity = raw['minSeverity'] ?? DEFAULTS.minSeverity;
  if (!(SEVERITIES as readonly unknown[]).includes(minSeverity)) {
    errors.push(`${path}.minSeverity: must be one of ${SEVERITIES.join(', ')}`);
  }
  const timeout = raw['timeout'];
  const timeoutMs =
    timeout === undefined
      ? DEFAULTS.timeoutMs
      : typeof timeout === 'string'
        ? parseDuration(timeout)
        : null;
  if (timeoutMs === null || timeoutMs <= 0)
    errors.push(`${path}.timeout: must be a duration such as 5s`);
  const retries = raw['retries'] ?? DEFAULTS.retries;
  if (
    typeof retries !== 'number' ||
    !Number.isInteger(retries) ||
    retries < 0 ||
    retries > DEFAULTS.maxRetries
  ) {
    errors.push(`${path}.retries: must be an integer from 0 to ${DEFAULTS.maxRetries}`);
  }
  const name = optionalString(raw, 'name', path, errors) ?? `${String(type)}-${index}`;
  const channel = optionalString(raw, 'channel', path, errors);
  const username = optionalString(raw, 'username', path, errors);
  return {
    name,
    type: type as ProviderType,
    ...urlSource(raw, path, errors),
    minSeverity: minSeverity as Severity,
    ...(channel === undefined ? {} : { channel }),
    ...(username === undefined ? {} : { username }),
    timeoutMs: timeoutMs ?? DEFAULTS.timeoutMs,
    retries: typeof retries === 'number' ? retries : DEFAULTS.retries,
  };
}

/** Validates a parsed config document; throws WL_CONFIG_INVALID listing every problem. */
export function parseNotifyConfig(raw: unknown): NotifyConfig {
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { providers: [] };
  if (!isObj(raw)) throw invalid(['(root): must be a mapping with a providers list']);
  for (const key of Object.keys(raw))
    if (key !== 'providers' && key !== 'cluster') errors.push(`${key}: unknown field`);
  const list = raw['providers'] ?? [];
  if (!Array.isArray(list)) errors.push('providers: must be a list');
  const providers = (Array.isArray(list) ? list : []).map((p, i) => provider(p, i, errors));
  const names = providers.flatMap((p) => (p === null ? [] : [p.name]));
  for (const n of new Set(names))
    if (names.filter((m) => m === n).length > 1)
      errors.push(`providers: name "${n}" is used twice`);
  const cluster = raw['cluster'];
  if (cluster !== undefined && (typeof cluster !== 'string' || cluster === ''))
    errors.push('cluster: must be a non-empty string');
  if (errors.length > 0) throw invalid(errors);
  return {
    ...(typeof cluster === 'string' ? { cluster } : {}),
    providers: providers.filter((p): p is ProviderConfig => p !== null),
  };
}

/** YAML or JSON text (JSON is YAML). */
export function notifyConfigFromText(text: string, source = 'notification config'): NotifyConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new WeightlifterError('WL_CONFIG_INVALID', `${source}: not valid YAML`, { cause });
  }
  try {
    return parseNotifyConfig(raw);
  } catch (err) {
    if (err instanceof WeightlifterError) {
      throw new WeightlifterError('WL_CONFIG_INVALID', `${source}: ${err.message}`, {
        cause: err,
        details: err.details,
      });
    }
    throw err;
  }
}

function invalid(errors: readonly string[]): WeightlifterError {
  return new WeightlifterError(
    'WL_CONFIG_INVALID',
    `invalid notification config: ${errors.join('; ')}`,
    {
      details: { errors },
    },
  );
}

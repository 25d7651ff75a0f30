// The paths of the resource metrics API (metrics.k8s.io/v1beta1) as the emulator answers them:
// discovery, PodMetrics of pods (a list with labelSelector, or one by name) and an empty list of
// NodeMetrics (kwok's node runs nothing to measure). Pure: a path and query in, an answer out.
import { matchesLabelSelector, parseLabelSelector } from '../../../src/kube/label-selector.js';
import { status, type StatusCode } from '../../../src/metrics-api/objects.js';
import {
  RESOURCE_METRICS_GROUP as GROUP,
  RESOURCE_METRICS_VERSION as VERSION,
  type PodMetricsJson,
} from './resource-usage.js';

const GROUP_VERSION = `${GROUP}/${VERSION}`;
const BASE = `/apis/${GROUP_VERSION}`;

export interface PodMetricsSource {
  /** Every running pod's metrics, in `namespace` (all namespaces when undefined). */
  podMetrics(namespace?: string): PodMetricsJson[];
}

export interface Answer {
  readonly code: 200 | StatusCode;
  readonly body: object;
}

const ok = (body: object): Answer => ({ code: 200, body });
const fail = (code: StatusCode, message: string): Answer => ({ code, body: status(code, message) });
const NOT_FOUND = fail(404, 'the server could not find the requested resource');

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };
const group = { name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };

function resource(name: 'pods' | 'nodes', kind: string, namespaced: boolean): object {
  return { name, singularName: '', namespaced, kind, verbs: ['get', 'list'] };
}

const list = (kind: string, items: readonly object[]): object => ({
  kind,
  apiVersion: GROUP_VERSION,
  metadata: {},
  items,
});

function podList(source: PodMetricsSource, namespace: string | undefined, query: URLSearchParams) {
  if ((query.get('fieldSelector') ?? '') !== '') {
    return fail(400, 'the emulated resource metrics API does not support field selectors');
  }
  const selector = parseLabelSelector(query.get('labelSelector') ?? '');
  if (!selector.ok) return fail(400, `invalid labelSelector: ${selector.error}`);
  const items = source
    .podMetrics(namespace)
    .filter((m) => matchesLabelSelector(selector.requirements, m.metadata.labels));
  return ok(list('PodMetricsList', items));
}

export function resourceMetricsAnswer(
  pathname: string,
  query: URLSearchParams,
  source: PodMetricsSource,
): Answer {
  const path = pathname.replace(/\/+$/, '');
  switch (path) {
    case '/apis':
      return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: [group] });
    case `/apis/${GROUP}`:
      return ok({ kind: 'APIGroup', apiVersion: 'v1', ...group });
    case BASE:
      return ok({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: GROUP_VERSION,
        resources: [resource('nodes', 'NodeMetrics', false), resource('pods', 'PodMetrics', true)],
      });
    // The aggregator downloads it and logs errors forever on a 404; paths are not described.
    case '/openapi/v2':
      return ok({
        swagger: '2.0',
        info: { title: 'emulator metrics', version: VERSION },
        paths: {},
      });
    case `${BASE}/nodes`:
      return ok(list('NodeMetricsList', []));
    case `${BASE}/pods`:
      return podList(source, undefined, query);
    default:
      break;
  }
  if (!path.startsWith(`${BASE}/`)) return NOT_FOUND;
  const parts = path.slice(BASE.length + 1).split('/');
  const [first, namespace, kind, name, ...rest] = parts;
  if (first !== 'namespaces' || namespace === undefined || kind !== 'pods' || rest.length > 0) {
    return NOT_FOUND;
  }
  if (name === undefined) return podList(source, namespace, query);
  const found = source.podMetrics(namespace).find((m) => m.metadata.name === name);
  return found === undefined ? fail(404, `podmetrics.${GROUP} "${name}" not found`) : ok(found);
}

import { describe, expect, it } from '@jest/globals';
import { parseRoute, type Route } from '../../../src/metrics-api/routes.js';

const B = '/apis/metrics.smi-spec.io/v1alpha1';

describe('path routing', () => {
  it.each<[string, Route]>([
    ['/healthz', { kind: 'health', check: 'healthz' }],
    ['/readyz', { kind: 'health', check: 'readyz' }],
    ['/livez/ping', { kind: 'health', check: 'livez' }],
    ['/apis', { kind: 'apiGroupList' }],
    ['/openapi/v2', { kind: 'openapiV2' }],
    ['/apis/metrics.smi-spec.io', { kind: 'apiGroup' }],
    [B, { kind: 'apiResourceList' }],
    [`${B}/`, { kind: 'apiResourceList' }],
    [`${B}/deployments`, { kind: 'list', target: { resource: 'deployments' } }],
    [`${B}/pods`, { kind: 'list', target: { resource: 'pods' } }],
    [`${B}/namespaces`, { kind: 'list', target: { resource: 'namespaces' } }],
    [
      `${B}/namespaces/shop/deployments`,
      { kind: 'list', target: { resource: 'deployments', namespace: 'shop' } },
    ],
    [
      `${B}/namespaces/shop/deployments/web-v2`,
      { kind: 'get', target: { resource: 'deployments', namespace: 'shop', name: 'web-v2' } },
    ],
    [
      `${B}/namespaces/shop/deployments/web-v2/edges`,
      { kind: 'edges', target: { resource: 'deployments', namespace: 'shop', name: 'web-v2' } },
    ],
    [
      `${B}/namespaces/shop/pods/web-abc-123`,
      { kind: 'get', target: { resource: 'pods', namespace: 'shop', name: 'web-abc-123' } },
    ],
    [
      `${B}/namespaces/shop/pods/web-abc-123/edges`,
      { kind: 'edges', target: { resource: 'pods', namespace: 'shop', name: 'web-abc-123' } },
    ],
    [`${B}/namespaces/shop`, { kind: 'get', target: { resource: 'namespaces', name: 'shop' } }],
    [
      `${B}/namespaces/shop/edges`,
      { kind: 'edges', target: { resource: 'namespaces', name: 'shop' } },
    ],
    [
      `${B}/namespaces/a%20b/deployments/x`,
      { kind: 'get', target: { resource: 'deployments', namespace: 'a b', name: 'x' } },
    ],
  ])('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });

  it.each([
    [`${B}/statefulsets`, 'Unsupported resource: statefulsets'],
    [`${B}/namespaces/shop/services/web`, 'Unsupported resource: services'],
    [`${B}/namespaces/shop/namespaces`, 'Unsupported resource: namespaces'],
    [`${B}/namespaces/shop/deployments/web/status`, 'Unsupported subresource: status'],
    [`${B}/namespaces/shop/deployments/web/edges/more`, 'could not find'],
    // A named namespaced object needs its namespace.
    [`${B}/deployments/web`, 'could not find'],
    [`${B}/namespaces//deployments`, 'malformed path'],
    [`${B}/namespaces/%E0%A4%A/deployments`, 'malformed path'],
    ['/apis/split.smi-spec.io/v1alpha4', 'could not find'],
    ['/api/v1/pods', 'could not find'],
    ['/openapi/v3', 'could not find'],
    ['/apis/metrics.smi-spec.io/v1alpha2/pods', 'could not find'],
  ])('%s is not found (%s)', (path, message) => {
    const route = parseRoute(path);
    expect(route.kind).toBe('notFound');
    if (route.kind === 'notFound') expect(route.message).toContain(message);
  });
});

import { describe, expect, it } from '@jest/globals';
import { collectionPath, objectPath, BUILTIN, apiVersionOf } from '../../../src/kube/resources.js';
import { keyOf, splitKey } from '../../../src/kube/object-key.js';
import { createNamedListerWatcher } from '../../../src/kube/lister-watcher.js';
import type { KubeRawClient } from '../../../src/kube/raw-client.js';
import {
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  KubeApiError,
  statusCodeOf,
} from '../../../src/kube/errors.js';

describe('resource paths', () => {
  const canaries = {
    group: 'weightlifter.io',
    version: 'v1alpha1',
    plural: 'canaries',
    kind: 'Canary',
    namespaced: true,
  };
  it.each([
    [collectionPath(BUILTIN.configMaps), '/api/v1/configmaps'],
    [collectionPath(BUILTIN.configMaps, 'ns'), '/api/v1/namespaces/ns/configmaps'],
    [collectionPath(canaries, 'ns'), '/apis/weightlifter.io/v1alpha1/namespaces/ns/canaries'],
    [
      objectPath(canaries, 'ns', 'web', 'status'),
      '/apis/weightlifter.io/v1alpha1/namespaces/ns/canaries/web/status',
    ],
    [objectPath(BUILTIN.namespaces, undefined, 'ns'), '/api/v1/namespaces/ns'],
    [collectionPath(BUILTIN.namespaces, 'ignored'), '/api/v1/namespaces'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('requires a namespace for namespaced objects', () => {
    expect(() => objectPath(canaries, undefined, 'web')).toThrow(TypeError);
  });

  it('builds apiVersion strings', () => {
    expect(apiVersionOf(BUILTIN.configMaps)).toBe('v1');
    expect(apiVersionOf(canaries)).toBe('weightlifter.io/v1alpha1');
  });
});

describe('keys', () => {
  it.each([
    [{ metadata: { namespace: 'ns', name: 'web' } }, 'ns/web'],
    [{ metadata: { name: 'cluster-wide' } }, 'cluster-wide'],
  ])('keyOf(%j) = %s and splits back', (obj, key) => {
    expect(keyOf(obj)).toBe(key);
    const { namespace, name } = splitKey(key);
    expect(name).toBe(obj.metadata.name);
    expect(namespace).toBe('namespace' in obj.metadata ? obj.metadata.namespace : undefined);
  });
});

describe('API error classification', () => {
  it.each([
    [
      new KubeApiError('GET', '/x', 404, { reason: 'NotFound' }),
      { notFound: true, conflict: false, gone: false, exists: false },
    ],
    [
      new KubeApiError('PUT', '/x', 409, { reason: 'Conflict' }),
      { notFound: false, conflict: true, gone: false, exists: false },
    ],
    [
      new KubeApiError('POST', '/x', 409, { reason: 'AlreadyExists' }),
      { notFound: false, conflict: false, gone: false, exists: true },
    ],
    [
      { code: 410, reason: 'Expired' },
      { notFound: false, conflict: false, gone: true, exists: false },
    ],
    [
      Object.assign(new Error('Gone'), { statusCode: 410 }),
      { notFound: false, conflict: false, gone: true, exists: false },
    ],
    [new Error('socket hang up'), { notFound: false, conflict: false, gone: false, exists: false }],
  ])('%s', (err, expected) => {
    expect({
      notFound: isNotFound(err),
      conflict: isConflict(err),
      gone: isGone(err),
      exists: isAlreadyExists(err),
    }).toEqual(expected);
  });

  it('carries status, reason and a stable code', () => {
    const err = new KubeApiError('PATCH', '/p', 422, { reason: 'Invalid', message: 'spec.x: bad' });
    expect(err).toMatchObject({ code: 'WL_KUBE_API_ERROR', status: 422, reason: 'Invalid' });
    expect(err.message).toBe('PATCH /p: 422 spec.x: bad');
    expect(statusCodeOf(err)).toBe(422);
  });
});

describe('createNamedListerWatcher: one object, never its collection', () => {
  /** A KubeRawClient fake (our own class's shape) recording the requests it is asked for. */
  function recordingRaw(getAnswer: () => Promise<unknown>) {
    const calls: { kind: string; path: string; query?: Record<string, unknown> }[] = [];
    const raw = {
      get: (path: string, query?: Record<string, unknown>) => {
        calls.push({ kind: 'get', path, ...(query === undefined ? {} : { query }) });
        return getAnswer();
      },
      stream: (path: string, query: Record<string, unknown>) => {
        calls.push({ kind: 'stream', path, query });
        return Promise.reject(new Error('offline'));
      },
    } as unknown as KubeRawClient;
    return { raw, calls };
  }

  it('lists with a GET of the object, and a missing object lists as empty', async () => {
    const secret = { metadata: { namespace: 'team-a', name: 'db', resourceVersion: '42' } };
    const found = recordingRaw(() => Promise.resolve(secret));
    const lw = createNamedListerWatcher(found.raw, BUILTIN.secrets, 'team-a', 'db');
    await expect(lw.list()).resolves.toEqual({ items: [secret], resourceVersion: '' });
    expect(found.calls).toEqual([{ kind: 'get', path: '/api/v1/namespaces/team-a/secrets/db' }]);

    const missing = recordingRaw(() =>
      Promise.reject(new KubeApiError('GET', '/x', 404, { reason: 'NotFound' })),
    );
    const lw2 = createNamedListerWatcher(missing.raw, BUILTIN.secrets, 'team-a', 'db');
    await expect(lw2.list()).resolves.toEqual({ items: [], resourceVersion: '' });
  });

  it('watches its namespace with fieldSelector metadata.name, from the version given', async () => {
    const { raw, calls } = recordingRaw(() => Promise.resolve({}));
    const lw = createNamedListerWatcher(raw, BUILTIN.secrets, 'team-a', 'db');
    const session = lw.watch('', () => undefined);
    await session.ended;
    const watch = calls.find((c) => c.kind === 'stream');
    expect(watch?.path).toBe('/api/v1/namespaces/team-a/secrets');
    expect(watch?.query).toMatchObject({ fieldSelector: 'metadata.name=db', resourceVersion: '' });
    expect(watch?.query?.['labelSelector']).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from '../../../src/kube/canonical-json.js';
import {
  configDataHash,
  defaultPullPolicy,
  normalizePodTemplate,
  revisionOf,
  type TrackedConfig,
} from '../../../src/workload/revision-hash.js';

interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string; valueFrom?: unknown }[];
  readinessProbe: { httpGet: { path: string; port: number }; timeoutSeconds?: number };
  volumeMounts: { name: string; mountPath: string }[];
}
interface Template {
  metadata: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    name?: string;
    creationTimestamp?: Date;
  };
  spec: {
    serviceAccountName: string;
    terminationGracePeriodSeconds?: number;
    containers: [Container];
    volumes: [
      { name: string; configMap: { name: string; defaultMode?: number } },
      { name: string; emptyDir?: { medium?: string } },
    ];
  };
}

/** A template as a user writes it in Git. */
function manifest(): Template {
  return {
    metadata: { labels: { app: 'podinfo' }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      serviceAccountName: 'podinfo',
      containers: [
        {
          name: 'podinfo',
          image: 'podinfo:6.7.0',
          ports: [{ name: 'http', containerPort: 9898 }],
          env: [
            { name: 'A', value: '1' },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          readinessProbe: { httpGet: { path: '/readyz', port: 9898 } },
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'cfg', configMap: { name: 'podinfo-config' } },
        { name: 'tmp', emptyDir: {} },
      ],
    },
  };
}

/** The same template as the API server returns it: defaulted, other key order, nulls, empties. */
function fromServer(): Record<string, unknown> {
  return {
    spec: {
      volumes: [
        { configMap: { defaultMode: 420, name: 'podinfo-config' }, name: 'cfg' },
        { emptyDir: {}, name: 'tmp' },
      ],
      terminationGracePeriodSeconds: 30,
      serviceAccount: 'podinfo',
      serviceAccountName: 'podinfo',
      securityContext: {},
      schedulerName: 'default-scheduler',
      restartPolicy: 'Always',
      enableServiceLinks: true,
      dnsPolicy: 'ClusterFirst',
      containers: [
        {
          volumeMounts: [
            { mountPath: '/cfg', name: 'cfg' },
            { mountPath: '/tmp', name: 'tmp' },
          ],
          terminationMessagePolicy: 'File',
          terminationMessagePath: '/dev/termination-log',
          resources: {},
          readinessProbe: {
            timeoutSeconds: 1,
            successThreshold: 1,
            periodSeconds: 10,
            failureThreshold: 3,
            httpGet: { scheme: 'HTTP', port: 9898, path: '/readyz' },
          },
          ports: [{ protocol: 'TCP', containerPort: 9898, name: 'http' }],
          name: 'podinfo',
          imagePullPolicy: 'IfNotPresent',
          image: 'podinfo:6.7.0',
          env: [
            { value: '1', name: 'A' },
            {
              name: 'POD',
              valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } },
            },
          ],
          args: [],
        },
      ],
    },
    metadata: {
      creationTimestamp: null,
      annotations: { 'prometheus.io/scrape': 'true', 'weightlifter.io/revision': 'abc' },
      labels: { app: 'podinfo' },
    },
  };
}

const hash = (t: unknown, configs: TrackedConfig[] = []): string => revisionOf(t, configs).revision;
const base = hash(manifest());

function edit(f: (t: Template) => void): Template {
  const t = manifest();
  f(t);
  return t;
}

describe('revision hash stability', () => {
  it('is a sha256 hex digest', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores key order, server defaults, nulls, empties and our own annotations', () => {
    expect(hash(fromServer())).toBe(base);
  });

  it('ignores template metadata other than labels and annotations, and Date objects there', () => {
    expect(hash(edit((t) => (t.metadata.creationTimestamp = new Date())))).toBe(base);
    expect(hash(edit((t) => (t.metadata.name = 'x')))).toBe(base);
  });

  it('is the same for client-library model instances as for plain JSON', () => {
    class V1Container implements Container {
      name = 'podinfo';
      image = 'podinfo:6.7.0';
      command: string[] | undefined = undefined;
      ports = [{ name: 'http', containerPort: 9898 }];
      env = manifest().spec.containers[0].env;
      readinessProbe = { httpGet: { path: '/readyz', port: 9898 } };
      volumeMounts = [
        { name: 'cfg', mountPath: '/cfg' },
        { name: 'tmp', mountPath: '/tmp' },
      ];
    }
    expect(hash(edit((t) => (t.spec.containers = [new V1Container()])))).toBe(base);
  });

  it('treats an explicit default like an absent field but a non-default as a change', () => {
    expect(hash(edit((t) => (t.spec.containers[0].imagePullPolicy = 'IfNotPresent')))).toBe(base);
    expect(hash(edit((t) => (t.spec.containers[0].imagePullPolicy = 'Always')))).not.toBe(base);
    expect(hash(edit((t) => (t.spec.terminationGracePeriodSeconds = 60)))).not.toBe(base);
    expect(hash(edit((t) => (t.spec.containers[0].readinessProbe.timeoutSeconds = 2)))).not.toBe(
      base,
    );
  });

  it.each<[string, (t: Template) => void]>([
    ['another image', (t) => (t.spec.containers[0].image = 'podinfo:6.7.1')],
    [
      'another env value',
      (t) => {
        const [first] = t.spec.containers[0].env;
        if (first) first.value = '2';
      },
    ],
    ['another env order', (t) => t.spec.containers[0].env.reverse()],
    [
      'a user annotation (kubectl rollout restart)',
      (t) => (t.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = 'now'),
    ],
    ['a label', (t) => (t.metadata.labels.version = 'v2')],
    ['a new container arg', (t) => (t.spec.containers[0].args = ['--level=debug'])],
    ['an emptyDir medium', (t) => (t.spec.volumes[1].emptyDir = { medium: 'Memory' })],
    [
      'the emptyDir removed',
      (t) => {
        delete t.spec.volumes[1].emptyDir;
      },
    ],
    ['another configMap mode', (t) => (t.spec.volumes[0].configMap.defaultMode = 256)],
  ])('changes with %s', (_name, f) => {
    expect(hash(edit(f))).not.toBe(base);
  });
});

describe('tracked configs', () => {
  const cm: TrackedConfig = { kind: 'configmap', name: 'podinfo-config', data: { a: '1', b: '2' } };

  it('lists each config under kind/name', () => {
    const r = revisionOf(manifest(), [cm, { kind: 'secret', name: 's', data: { k: 'dg==' } }]);
    expect(Object.keys(r.trackedConfigs)).toEqual(['configmap/podinfo-config', 'secret/s']);
    expect(r.trackedConfigs['configmap/podinfo-config']).toBe(configDataHash(cm));
  });

  it('changes the revision when config data changes, not when its key order does', () => {
    const withConfig = hash(manifest(), [cm]);
    expect(withConfig).not.toBe(base);
    expect(hash(manifest(), [{ ...cm, data: { b: '2', a: '1' } }])).toBe(withConfig);
    expect(hash(manifest(), [{ ...cm, data: { a: '1', b: '3' } }])).not.toBe(withConfig);
    expect(hash(manifest(), [{ ...cm, binaryData: { c: 'AA==' } }])).not.toBe(withConfig);
  });

  it('treats empty data like no data', () => {
    expect(configDataHash({ kind: 'configmap', name: 'x', data: {} })).toBe(
      configDataHash({ kind: 'configmap', name: 'x' }),
    );
  });
});

describe('building blocks', () => {
  it('sorts keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,1]},"b":1}',
    );
  });

  it('normalizes a template to what is hashed', () => {
    expect(normalizePodTemplate(fromServer())).toEqual(normalizePodTemplate(manifest()));
    expect(normalizePodTemplate(manifest(), { ownPrefixes: ['prometheus.io/'] })).toMatchObject({
      metadata: { labels: { app: 'podinfo' } },
    });
    expect(normalizePodTemplate(undefined)).toBeNull();
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry:5000/team/nginx', 'Always'],
    ['registry:5000/team/nginx:1.27', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
  ])('default pull policy of %s is %s', (image, expected) => {
    expect(defaultPullPolicy(image)).toBe(expected);
  });
});

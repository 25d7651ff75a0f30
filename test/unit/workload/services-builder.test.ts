import { describe, expect, it } from '@jest/globals';
import type { Canary } from '../../../src/api/canary.js';
import {
  baselineService,
  desiredServices,
  newService,
  servicePorts,
} from '../../../src/workload/services-builder.js';
import { target } from './fixtures.js';

const canary = (service: Canary['spec']['service']): Canary => ({
  apiVersion: 'weightlifter.io/v1alpha1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'shop', uid: 'uid-1' },
  spec: { targetRef: { name: 'podinfo' }, service },
});

describe('desiredServices', () => {
  it('apex and -primary select the primary pods, -canary the target pods', () => {
    const svcs = desiredServices(canary({ port: 9898, name: 'web' }), target());
    expect(svcs.map((s) => [s.role, s.name, s.selector])).toEqual([
      ['primary', 'web-primary', { app: 'podinfo-primary' }],
      ['canary', 'web-canary', { app: 'podinfo' }],
      ['apex', 'web', { app: 'podinfo-primary' }],
    ]);
  });

  it('-baseline selects the baseline pods only, with the same ports', () => {
    const c = canary({ port: 9898, name: 'web' });
    const b = baselineService(c, target());
    expect([b.role, b.name, b.selector]).toEqual([
      'baseline',
      'web-baseline',
      { app: 'podinfo-baseline' },
    ]);
    expect(b.ports).toEqual(servicePorts(c));
    expect(baselineService(canary({ port: 80 }), target()).name).toBe('podinfo-baseline');
  });

  it('builds ports from spec.service (targetPort defaults to port)', () => {
    expect(servicePorts(canary({ port: 80 }))).toEqual([
      { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
    ]);
    expect(
      servicePorts(canary({ port: 80, targetPort: 'web', portName: 'grpc', appProtocol: 'grpc' })),
    ).toEqual([
      { name: 'grpc', port: 80, targetPort: 'web', protocol: 'TCP', appProtocol: 'grpc' },
    ]);
  });

  it('keeps an allocated nodePort', () => {
    const live = { spec: { ports: [{ port: 80, nodePort: 30080 }] } };
    expect(servicePorts(canary({ port: 80 }), live)[0]?.nodePort).toBe(30080);
  });

  it('new Services are ClusterIP, labelled and owned by the Canary', () => {
    const [primary] = desiredServices(canary({ port: 80 }), target());
    if (primary === undefined) throw new Error('no service');
    const s = newService(canary({ port: 80 }), primary);
    expect(s.spec?.type).toBe('ClusterIP');
    expect(s.metadata?.labels).toEqual({
      'weightlifter.io/canary': 'podinfo',
      'app.kubernetes.io/managed-by': 'weightlifter',
    });
    expect(s.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Canary',
      uid: 'uid-1',
      controller: true,
    });
  });
});

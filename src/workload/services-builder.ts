// The three Services of a Canary, as data: `<svc>` (apex: what clients call; selects the primary
// pods, so clients outside the mesh always reach the promoted version), `<svc>-primary` and
// `<svc>-canary` (the TrafficSplit backends). Pure.
import type { Canary } from '../api/canary.js';
import { STORED_DEFAULTS, baselineServiceName, serviceNames } from '../api/defaults.js';
import type { DeploymentJson, ServiceJson, ServicePortJson } from './k8s-types.js';
import { canaryOwnerRef, managedLabels } from '../api/ownership.js';
import { baselineLabels } from './baseline-builder.js';
import { selectorRewrite } from './selector.js';

export type ServiceRole = 'apex' | 'primary' | 'canary' | 'baseline';

export interface DesiredService {
  readonly role: ServiceRole;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortJson[];
}

export function servicePorts(canary: Canary, live?: ServiceJson): ServicePortJson[] {
  const s = canary.spec.service;
  const port: ServicePortJson = {
    name: s.portName ?? STORED_DEFAULTS.service.portName,
    port: s.port,
    targetPort: s.targetPort ?? s.port,
    protocol: 'TCP',
  };
  if (s.appProtocol !== undefined) port.appProtocol = s.appProtocol;
  // Rewriting the ports array must not re-allocate a NodePort someone relies on.
  const nodePort = live?.spec?.ports?.find((p) => p.port === s.port)?.nodePort;
  if (nodePort !== undefined) port.nodePort = nodePort;
  return [port];
}

export function desiredServices(canary: Canary, target: DeploymentJson): DesiredService[] {
  const names = serviceNames(canary.spec);
  const rw = selectorRewrite(target);
  return [
    {
      role: 'primary',
      name: names.primary,
      selector: rw.primaryLabels,
      ports: servicePorts(canary),
    },
    { role: 'canary', name: names.canary, selector: rw.targetLabels, ports: servicePorts(canary) },
    { role: 'apex', name: names.apex, selector: rw.primaryLabels, ports: servicePorts(canary) },
  ];
}

/**
 * `<svc>-baseline`, selecting the `<target>-baseline` pods (buildBaseline): the third backend of
 * the route when spec.analysis.baseline is set. Not in desiredServices; nothing creates it yet.
 */
export function baselineService(canary: Canary, target: DeploymentJson): DesiredService {
  return {
    role: 'baseline',
    name: baselineServiceName(canary.spec),
    selector: baselineLabels(target),
    ports: servicePorts(canary),
  };
}

export function newService(canary: Canary, d: DesiredService): ServiceJson {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: d.name,
      namespace: canary.metadata.namespace ?? '',
      labels: managedLabels(canary),
      ownerReferences: [canaryOwnerRef(canary)],
    },
    spec: { type: 'ClusterIP', selector: { ...d.selector }, ports: [...d.ports] },
  };
}

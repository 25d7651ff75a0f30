import type { Pki } from './pki.js';
import type { Child, ProcessGroup } from './processes.js';

/**
 * What a canary controller needs from kube-controller-manager: Deployments get real ReplicaSets
 * and status, Services real EndpointSlices, deletions cascade, namespaces can be deleted, and the
 * aggregated admin/edit/view ClusterRoles get their rules (tests bind them).
 */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'statefulset-controller',
  'daemonset-controller',
] as const;

export function controllerManagerArgs(kubeconfig: string, pki: Pki): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    `--controllers=${CONTROLLERS.join(',')}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.ca.cert}`,
    // No metrics/health endpoint: nothing scrapes it, and it would need another free port.
    '--secure-port=0',
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
  ];
}

export function startControllerManager(
  procs: ProcessGroup,
  binary: string,
  kubeconfig: string,
  pki: Pki,
): Child {
  return procs.start({
    name: 'kube-controller-manager',
    command: binary,
    args: controllerManagerArgs(kubeconfig, pki),
  });
}

export function startScheduler(procs: ProcessGroup, binary: string, kubeconfig: string): Child {
  return procs.start({ name: 'kube-scheduler', command: binary, args: schedulerArgs(kubeconfig) });
}

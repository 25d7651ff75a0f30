import type { Pki } from './pki.js';
import type { Child, ProcessGroup } from './processes.js';

/**
 * What a canary controller needs from kube-controller-manager: Deployments get real ReplicaSets
 * and status, Services real EndpointSlices, deletions cascade, namespaces can be deleted, the
 * aggregated admin/edit/view ClusterRoles get their rules (tests bind them), and
 * HorizontalPodAutoscalers scale their Deployments (spec.autoscalerRef; by CPU when the world
 * serves the resource metrics API, WorldOptions.resourceMetrics, else they hold replicas within
 * minReplicas..maxReplicas).
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
  'horizontal-pod-autoscaler-controller',
] as const;

/** How often the HPA controller looks at each HPA (15s by default); shorter keeps tests short. */
const HPA_SYNC_PERIOD = '3s';

export function controllerManagerArgs(kubeconfig: string, pki: Pki): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    `--controllers=${CONTROLLERS.join(',')}`,
    `--horizontal-pod-autoscaler-sync-period=${HPA_SYNC_PERIOD}`,
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

// Every setting's flag and environment variable, in one table (the CLI and the docs use it).

export const CONFIG_KEYS = {
  kubeconfig: '--kubeconfig',
  context: '--context',
  namespaces: '--namespace',
  controllerNamespace: '--controller-namespace',
  prometheusUrl: '--prometheus-url',
  mesh: '--mesh',
  trafficMetrics: '--traffic-metrics',
  concurrency: '--concurrency',
  maxConcurrentRuns: '--max-concurrent-runs',
  leaderElect: '--leader-elect',
  leaseNamespace: '--lease-namespace',
  leaseName: '--lease-name',
  healthAddress: '--health-address',
  logLevel: '--log-level',
  allowedHosts: '--allowed-hosts',
  allowedCidrs: '--allowed-cidrs',
  endpointGate: '--endpoint-gate',
  notifyConfig: '--notify-config',
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export const ENV_NAMES = {
  kubeconfig: 'WEIGHTLIFTER_KUBECONFIG',
  context: 'WEIGHTLIFTER_CONTEXT',
  namespaces: 'WEIGHTLIFTER_NAMESPACES',
  controllerNamespace: 'WEIGHTLIFTER_CONTROLLER_NAMESPACE',
  prometheusUrl: 'WEIGHTLIFTER_PROMETHEUS_URL',
  mesh: 'WEIGHTLIFTER_MESH',
  trafficMetrics: 'WEIGHTLIFTER_TRAFFIC_METRICS',
  concurrency: 'WEIGHTLIFTER_CONCURRENCY',
  maxConcurrentRuns: 'WEIGHTLIFTER_MAX_CONCURRENT_RUNS',
  leaderElect: 'WEIGHTLIFTER_LEADER_ELECT',
  leaseNamespace: 'WEIGHTLIFTER_LEASE_NAMESPACE',
  leaseName: 'WEIGHTLIFTER_LEASE_NAME',
  healthAddress: 'WEIGHTLIFTER_HEALTH_ADDRESS',
  logLevel: 'WEIGHTLIFTER_LOG_LEVEL',
  allowedHosts: 'WEIGHTLIFTER_ALLOWED_HOSTS',
  allowedCidrs: 'WEIGHTLIFTER_ALLOWED_CIDRS',
  endpointGate: 'WEIGHTLIFTER_ENDPOINT_GATE',
  notifyConfig: 'WEIGHTLIFTER_NOTIFY_CONFIG',
} as const satisfies Record<ConfigKey, string>;

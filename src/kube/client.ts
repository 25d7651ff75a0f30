import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { WeightlifterError } from '../errors/catalogue.js';
import { KubeRawClient, type RawClientOptions } from './raw-client.js';

export interface KubeClientOptions extends RawClientOptions {
  /** Kubeconfig file; undefined = client-node's default lookup (KUBECONFIG, ~/.kube, in-cluster). */
  readonly kubeconfigPath?: string | undefined;
  /** Context to use instead of the file's current-context. */
  readonly context?: string | undefined;
}

/**
 * Every API client the controller needs, built from one KubeConfig. `raw` serves informers,
 * status patches, leases and events (plain JSON by path); the typed APIs are for callers that want
 * client-node's models (note: those turn timestamps into Date objects).
 */
export interface KubeClients {
  readonly kc: KubeConfig;
  readonly raw: KubeRawClient;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly coordination: CoordinationV1Api;
  readonly customObjects: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
}

export function loadKubeConfig(
  opts: Pick<KubeClientOptions, 'kubeconfigPath' | 'context'> = {},
): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfigPath === undefined) kc.loadFromDefault();
    else kc.loadFromFile(opts.kubeconfigPath);
    if (opts.context !== undefined) kc.setCurrentContext(opts.context);
  } catch (cause) {
    throw new WeightlifterError('WL_KUBECONFIG_INVALID', 'cannot load kubeconfig', {
      cause,
      details: { kubeconfigPath: opts.kubeconfigPath, context: opts.context },
    });
  }
  if (kc.getCurrentCluster() === null) {
    throw new WeightlifterError('WL_KUBECONFIG_INVALID', 'kubeconfig has no current cluster', {
      details: { kubeconfigPath: opts.kubeconfigPath, context: opts.context },
    });
  }
  return kc;
}

export function createKubeClients(opts: KubeClientOptions = {}): KubeClients {
  const kc = loadKubeConfig(opts);
  return {
    kc,
    raw: new KubeRawClient(kc, opts),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    customObjects: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

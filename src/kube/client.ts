import { loadKubeConfig, type KubeConfig, type LoadOptions } from './kubeconfig.js';
import { KubeRawClient, type RawClientOptions } from './raw-client.js';

export { loadKubeConfig, type KubeConfig } from './kubeconfig.js';

export interface KubeClientOptions
  extends RawClientOptions, Pick<LoadOptions, 'kubeconfigPath' | 'context'> {}

/** The API client the CLI needs, and the configuration it came from (its namespace, server). */
export interface KubeClients {
  readonly kc: KubeConfig;
  readonly raw: KubeRawClient;
}

export function createKubeClients(opts: KubeClientOptions = {}): KubeClients {
  const kc = loadKubeConfig({ kubeconfigPath: opts.kubeconfigPath, context: opts.context });
  return { kc, raw: new KubeRawClient(kc, opts) };
}

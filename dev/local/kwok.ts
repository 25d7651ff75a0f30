import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdminApi } from './http.js';
import { kwokStagesYaml } from './kwok-stages.js';
import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { LOOPBACK } from './ports.js';
import type { Child, ProcessGroup } from './processes.js';
import { waitUntil } from './wait.js';

export const KWOK_NODE = 'kwok-node-0';
/**
 * Pod IPs kwok writes into status. Fake: nothing listens there and nothing may dial them; they
 * only have to be valid for EndpointSlices (which refuse loopback) and stay clear of the Service
 * range 10.0.0.0/16.
 */
export const POD_CIDR = '10.244.0.0/16';

const node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: KWOK_NODE,
    annotations: { 'kwok.x-k8s.io/node': 'fake' },
    labels: {
      'kubernetes.io/hostname': KWOK_NODE,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      type: 'kwok',
    },
  },
};

export function kwokArgs(kubeconfig: string, configFile: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${configFile}`,
    '--manage-all-nodes=true',
    `--cidr=${POD_CIDR}`,
    `--node-ip=${LOOPBACK}`,
  ];
}

/** Starts kwok with our Stages, registers one fake Node and waits until it is Ready. */
export async function startKwok(
  procs: ProcessGroup,
  binary: string,
  kubeconfig: string,
  api: AdminApi,
  timeoutMs: number,
  /** Other components whose death makes waiting for the node pointless. */
  watch: readonly Child[] = [],
): Promise<Child> {
  const home = join(procs.dir, 'kwok-home');
  await mkdir(home, { recursive: true });
  const configFile = join(procs.dir, 'kwok-stages.yaml');
  await writeFile(configFile, kwokStagesYaml());
  // HOME points into the temp dir so a user's ~/.kwok/kwok.yaml cannot add stages of its own.
  const child = procs.start({
    name: 'kwok',
    command: binary,
    args: kwokArgs(kubeconfig, configFile),
    env: { ...process.env, HOME: home },
  });
  const created = await api.post('/api/v1/nodes', node);
  if (created.status !== 201) {
    throw new LocalClusterError(
      LOCAL_ERROR_CODES.NOT_READY,
      `could not create node ${KWOK_NODE}: ${created.status} ${created.body}`,
    );
  }
  await waitUntil(
    async () => (await api.condition(`/api/v1/nodes/${KWOK_NODE}`, 'Ready')) === 'True',
    {
      what: `kwok node ${KWOK_NODE} Ready`,
      timeoutMs,
      intervalMs: 100,
      watch: [...watch, child],
    },
  );
  return child;
}

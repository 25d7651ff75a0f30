import { join } from 'node:path';
import { freePorts, LOOPBACK, retryOnPortClash } from './ports.js';
import type { Child, ProcessGroup } from './processes.js';
import { httpGet } from './http.js';
import { waitUntil } from './wait.js';

export interface Etcd {
  readonly child: Child;
  readonly clientUrl: string;
}

export function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://${LOOPBACK}:${clientPort}`;
  const peer = `http://${LOOPBACK}:${peerPort}`;
  return [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // A throwaway store: durability buys nothing and fsync dominates its latency.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export async function startEtcd(
  procs: ProcessGroup,
  binary: string,
  timeoutMs: number,
): Promise<Etcd> {
  return retryOnPortClash((attempt) => startOnce(procs, binary, timeoutMs, attempt));
}

async function startOnce(
  procs: ProcessGroup,
  binary: string,
  timeoutMs: number,
  attempt: number,
): Promise<Etcd> {
  const [clientPort, peerPort] = (await freePorts(2)) as [number, number];
  // A fresh data dir per attempt: a member once initialised remembers its peer URL.
  const child = procs.start({
    name: 'etcd',
    command: binary,
    args: etcdArgs(
      join(procs.dir, attempt === 1 ? 'etcd' : `etcd-${attempt}`),
      clientPort,
      peerPort,
    ),
  });
  const clientUrl = `http://${LOOPBACK}:${clientPort}`;
  await waitUntil(async () => (await httpGet(`${clientUrl}/health`)).status === 200, {
    what: 'etcd',
    timeoutMs,
    intervalMs: 50,
    watch: [child],
  });
  return { child, clientUrl };
}

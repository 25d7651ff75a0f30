// Shared by the world*.test.ts files: manifests, polling with deadlines, PromQL at a fixed time.
import { randomBytes } from 'node:crypto';
import { EMULATOR_ANNOTATIONS } from '../../dev/local/emulator/annotations.js';
import type { World } from '../../dev/local/world.js';
import type { PromSample } from '../../dev/local/prometheus.js';
import { eventually } from '../e2e/harness.js';

export const uniqueNamespace = (prefix: string): string =>
  `${prefix}-${randomBytes(3).toString('hex')}`;

export async function apply(world: World, manifest: string): Promise<void> {
  const r = await world.controlPlane.kubectl(['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(`kubectl apply failed (${r.code}): ${r.stderr}`);
}

export function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
}

export function deploymentYaml(
  ns: string,
  name: string,
  opts: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    replicas?: number;
    extraSpec?: string;
  } = {},
): string {
  const labels = opts.labels ?? { app: name };
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${opts.replicas ?? 1}
  selector: {matchLabels: ${JSON.stringify(labels)}}
${opts.extraSpec ?? ''}  template:
    metadata:
      labels: ${JSON.stringify(labels)}
      annotations: ${JSON.stringify(opts.annotations ?? {})}
    spec: {containers: [{name: app, image: example.invalid/app:1}]}
`;
}

export function serviceYaml(
  ns: string,
  name: string,
  selector: Record<string, string>,
  rps?: number,
): string {
  const annotations = rps === undefined ? {} : { [EMULATOR_ANNOTATIONS.rps]: String(rps) };
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}, annotations: ${JSON.stringify(annotations)}}
spec:
  selector: ${JSON.stringify(selector)}
  ports: [{port: 9898, targetPort: 9898}]
`;
}

export function docs(...parts: string[]): string {
  return parts.join('---\n');
}

/** Polls until `fn` returns a value that is not undefined; fails with `what` after the deadline. */
export const pollFor = eventually;

/** An instant query evaluated at `timeSeconds` (so its window is known to be fully scraped). */
export async function queryAt(
  world: World,
  query: string,
  timeSeconds?: number,
): Promise<PromSample[]> {
  const params = new URLSearchParams({ query });
  if (timeSeconds !== undefined) params.set('time', timeSeconds.toFixed(3));
  const res = await fetch(`${world.prometheusUrl}/api/v1/query?${params.toString()}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`query failed (${res.status}): ${body.error ?? ''}: ${query}`);
  }
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** A single-valued query's value at `timeSeconds`; undefined for an empty result. */
export async function scalarAt(
  world: World,
  query: string,
  timeSeconds?: number,
): Promise<number | undefined> {
  const result = await queryAt(world, query, timeSeconds);
  if (result.length > 1) throw new Error(`expected one series, got ${result.length}: ${query}`);
  return result[0]?.value;
}

/**
 * Waits until Prometheus holds `seconds` of data after `fromSeconds` (wall clock, the scrape
 * clock too) and returns the evaluation time at the end of that span.
 */
export async function waitForSpan(fromSeconds: number, seconds: number): Promise<number> {
  const evalAt = fromSeconds + seconds;
  // One more scrape interval so the sample at evalAt has surely been ingested.
  const waitMs = (evalAt + 1.5) * 1000 - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  return evalAt;
}

/** The Linkerd builtins of Flagger (reference/flagger.md §5.1), rendered. */
export function linkerdSuccessRate(ns: string, target: string, interval: string): string {
  return (
    `sum(rate(response_total{namespace="${ns}", deployment=~"${target}", ` +
    `classification!="failure", direction="inbound"}[${interval}])) / ` +
    `sum(rate(response_total{namespace="${ns}", deployment=~"${target}", ` +
    `direction="inbound"}[${interval}])) * 100`
  );
}

export function linkerdP99(ns: string, target: string, interval: string): string {
  return (
    `histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="${ns}", ` +
    `deployment=~"${target}", direction="inbound"}[${interval}])) by (le))`
  );
}

/** Waits until the emulator serves `count` ready pods of every named Deployment. */
export async function waitForReadyPods(
  world: World,
  ns: string,
  deployments: Record<string, number>,
): Promise<void> {
  await pollFor(`ready pods ${JSON.stringify(deployments)} in ${ns}`, async () => {
    const r = await world.controlPlane.kubectl([
      'get',
      'deployments',
      '-n',
      ns,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.readyReplicas}{"\\n"}{end}',
    ]);
    const ready = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [name, n] = l.split('=');
          return [name ?? '', Number(n === '' ? 0 : n)];
        }),
    );
    return Object.entries(deployments).every(([d, n]) => ready[d] === n) ? true : undefined;
  });
}

/** Seconds since the epoch when `query` first returns a non-empty result. */
export async function firstSeen(world: World, query: string): Promise<number> {
  return pollFor(`Prometheus has data for ${query}`, async () =>
    (await queryAt(world, query)).length > 0 ? Date.now() / 1000 : undefined,
  );
}

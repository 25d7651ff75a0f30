// Runs the ops subcommands in-process against the shared local control plane, with captured
// stdout/stderr, a chosen TTY-ness and environment, and the exit code they set. Each call builds
// a fresh commander program (commander keeps parsed option values on the command objects).
import { Command } from 'commander';
import type { Canary } from '../../src/api/canary.js';
import { registerOpsCommands } from '../../src/cli/commands/index.js';
import { connectDefault, type CliDeps } from '../../src/cli/commands/context.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath } from '../../src/kube/resources.js';
import { testCluster } from './helpers/env.js';

export interface Capture {
  text: string;
  write(s: string): boolean;
  readonly isTTY: boolean;
  readonly columns: number;
}

export function capture(tty = false, onWrite?: (all: string) => void): Capture {
  const c: Capture = {
    text: '',
    isTTY: tty,
    columns: 100,
    write(s: string) {
      c.text += s;
      onWrite?.(c.text);
      return true;
    },
  };
  return c;
}

export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface RunOptions {
  readonly tty?: boolean;
  readonly env?: Record<string, string>;
  readonly stdout?: Capture;
  readonly watchSignal?: AbortSignal;
  readonly sleep?: CliDeps['sleep'];
  readonly files?: Record<string, string>;
  /** Another identity's kubeconfig (default: the admin one). */
  readonly kubeconfig?: string;
}

export const realSleep: CliDeps['sleep'] = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** `weightlifter <args> --kubeconfig <admin>` in-process. */
export async function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  const stdout = opts.stdout ?? capture(opts.tty ?? false);
  const stderr = capture(false);
  let exitCode = 0;
  const deps: CliDeps = {
    stdout,
    stderr,
    env: opts.env ?? {},
    connect: connectDefault,
    now: () => Date.now(),
    sleep: opts.sleep ?? realSleep,
    watchSignal: () => opts.watchSignal ?? AbortSignal.abort(),
    setExitCode: (code) => {
      exitCode = code;
    },
    readFile: (path) => {
      const text = opts.files?.[path];
      return text === undefined
        ? Promise.reject(new Error(`no such test file ${path}`))
        : Promise.resolve(text);
    },
  };
  const program = registerOpsCommands(new Command('weightlifter').exitOverride(), deps);
  const kubeconfig = opts.kubeconfig ?? testCluster().kubeconfig;
  await program.parseAsync([...args, '--kubeconfig', kubeconfig], { from: 'user' });
  return { stdout: stdout.text, stderr: stderr.text, exitCode };
}

export function deployment(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'podinfo:6.7.0' }] },
      },
    },
  };
}

export function canaryManifest(namespace: string, name: string): Canary {
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      targetRef: { name },
      service: { port: 9898 },
      analysis: {
        interval: '30s',
        threshold: 5,
        stepWeights: [5, 10, 25, 50],
        metrics: [
          {
            name: 'success-rate',
            trafficMetrics: { metric: 'success-rate' },
            thresholdRange: { min: 99 },
          },
          {
            name: 'latency-p99',
            trafficMetrics: { metric: 'p99_response_latency' },
            thresholdRange: { max: 500 },
          },
        ],
      },
    },
  };
}

/** An Event about the Canary, written the way src/kube/events.ts writes them (events.k8s.io/v1). */
export async function createCanaryEvent(
  raw: KubeRawClient,
  canary: Canary,
  e: { name: string; type: 'Normal' | 'Warning'; reason: string; note: string },
): Promise<void> {
  const namespace = canary.metadata.namespace ?? '';
  await raw.create(collectionPath(BUILTIN.events, namespace), {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: e.name, namespace },
    eventTime: new Date().toISOString().replace('Z', '000Z'),
    reportingController: 'weightlifter.io/controller',
    reportingInstance: 'cli-test',
    action: 'Test',
    reason: e.reason,
    note: e.note,
    type: e.type,
    regarding: {
      apiVersion: canary.apiVersion,
      kind: canary.kind,
      name: canary.metadata.name,
      namespace,
      uid: canary.metadata.uid,
    },
  });
}

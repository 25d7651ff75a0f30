// The CLI as a real process (src/cli/main.ts run through tsx, as `npx weightlifter` runs
// dist/cli/main.js): stdout is a pipe, so no escape sequence may appear whatever the environment
// says; exit codes reach the shell; --help works for every subcommand.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { MANUAL_OPERATIONS } from '../../src/api/constants.js';
import { registerOpsCommands } from '../../src/cli/commands/index.js';
import { CANARY_REF } from '../../src/cli/commands/context.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { collectionPath, objectPath } from '../../src/kube/resources.js';
import { canaryManifest } from './cli-harness.js';
import { testCluster } from './helpers/env.js';
import { adminClients, createNamespace, deleteNamespace } from './kube-fixtures.js';

jest.setTimeout(90_000);

const NS = 'cli-process';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
let raw: KubeRawClient;

function weightlifter(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const entry = join(process.cwd(), 'src', 'cli', 'main.ts');
  return new Promise((resolve) => {
    execFile(
      tsx,
      [entry, ...args, '--kubeconfig', testCluster().kubeconfig],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  await raw.create(collectionPath(CANARY_REF, NS), canaryManifest(NS, 'podinfo'));
  await raw.patch(objectPath(CANARY_REF, NS, 'podinfo', 'status'), {
    status: {
      phase: 'Failed',
      phaseSince: new Date().toISOString(),
      canaryWeight: 0,
      failedChecks: 5,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'FailedChecksThresholdReached',
          message: 'rolled back revision abc: 5 failed checks \u001b[31m(in red)\u001b[0m',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  });
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('weightlifter as a process with stdout on a pipe', () => {
  it('prints status without any escape or control character, even asked for colour', async () => {
    const r = await weightlifter(['status', 'podinfo', '-n', NS], {
      FORCE_COLOR: '3',
      TERM: 'xterm-256color',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Canary {5}cli-process\/podinfo\nPhase {6}Failed for \d+s\n/);
    expect(r.stdout).toContain('rolled back revision abc: 5 failed checks (in red)');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('exits 1 for a missing Canary and 2 for an unacknowledged operation', async () => {
    const missing = await weightlifter(['status', 'nope', '-n', NS]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`weightlifter: Canary ${NS}/nope not found`);
    const unacked = await weightlifter(['retry', 'podinfo', '-n', NS, '--timeout', '1s']);
    expect(unacked.code).toBe(2);
    expect(unacked.stderr).toContain('not acknowledged within 1s');
  });
});

describe('--help', () => {
  it('documents every subcommand with the cluster flags', () => {
    const program = registerOpsCommands(new Command('weightlifter'));
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(['status', ...MANUAL_OPERATIONS, 'validate']);
    for (const cmd of program.commands) {
      const help = cmd.helpInformation();
      expect(help).toMatch(new RegExp(`^Usage: weightlifter ${cmd.name()} `));
      for (const flag of [
        '--kubeconfig <path>',
        '--context <name>',
        '-n, --namespace <namespace>',
        '-h, --help',
      ]) {
        expect(help).toContain(flag);
      }
    }
  });

  it('answers --help from the real binary with exit code 0', async () => {
    const r = await weightlifter(['status', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: weightlifter status [options] [name]');
    expect(r.stdout).toContain('--watch');
  });

  it("lists the controller and the TrafficMetrics server among the real binary's commands", async () => {
    const top = await weightlifter(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['run', 'metrics-api', 'status', 'validate']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    const server = await weightlifter(['metrics-api', '--help']);
    expect(server.code).toBe(0);
    expect(server.stdout).toContain('Usage: weightlifter metrics-api [options]');
    expect(server.stdout).toContain('--prometheus-url <url>');
  });

  it('lists the SMI adapter, with its namespace limit and leader election', async () => {
    const top = await weightlifter(['--help']);
    expect(top.stdout).toMatch(/^ {2}smi-adapter /m);
    const adapter = await weightlifter(['smi-adapter', '--help']);
    expect(adapter.code).toBe(0);
    expect(adapter.stdout).toContain('Usage: weightlifter smi-adapter [options]');
    expect(adapter.stdout).toContain('--namespaces <list>');
    expect(adapter.stdout).toContain('--leader-elect');
  });
});

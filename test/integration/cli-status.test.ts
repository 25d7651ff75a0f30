// `weightlifter status` against the real API server: a Canary whose status the test writes (no
// controller runs in this suite; the status has the shape the engine writes), Events written
// through events.k8s.io/v1, and the one-shot, list, JSON and --watch outputs.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Canary, CanaryStatus } from '../../src/api/canary.js';
import { CANARY_REF } from '../../src/cli/commands/context.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import {
  canaryManifest,
  capture,
  createCanaryEvent,
  deployment,
  realSleep,
  runCli,
} from './cli-harness.js';
import { kubeconfigFor } from './helpers/env.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'cli-status';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
let raw: KubeRawClient;
let canary: Canary;

const at = (secondsAgo: number): string =>
  new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

async function writeStatus(status: CanaryStatus): Promise<void> {
  await raw.patch(objectPath(CANARY_REF, NS, 'podinfo', 'status'), { status });
}

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
  await raw.create(collectionPath(BUILTIN.deployments, NS), deployment(NS, 'podinfo'));
  canary = await raw.create<Canary>(collectionPath(CANARY_REF, NS), canaryManifest(NS, 'podinfo'));
  await writeStatus({
    observedGeneration: 1,
    phase: 'Progressing',
    phaseSince: at(133),
    canaryWeight: 10,
    stepIndex: 2,
    failedChecks: 1,
    revision: '5d8c7f0123456789',
    lastPromotedRevision: '91ab02cd99',
    lastAnalysis: [
      { metric: 'success-rate', value: 99.734, result: 'Successful', at: at(10) },
      { metric: 'latency-p99', value: 612, result: 'Failed', message: '612 > 500', at: at(10) },
    ],
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'CheckFailed',
        message: 'failed check 1/5: latency-p99 612 > 500',
        lastTransitionTime: at(10),
        observedGeneration: 1,
      },
    ],
  });
  await createCanaryEvent(raw, canary, {
    name: 'podinfo.advanced',
    type: 'Normal',
    reason: 'Advanced',
    note: 'canary weight 10',
  });
  await createCanaryEvent(raw, canary, {
    name: 'podinfo.check',
    type: 'Warning',
    reason: 'CheckFailed',
    note: 'latency-p99 612 > 500',
  });
  // An Event about another object of the same namespace must not show up.
  await raw.create(collectionPath(BUILTIN.events, NS), {
    metadata: { name: 'other.1', namespace: NS },
    eventTime: new Date().toISOString().replace('Z', '000Z'),
    reportingController: 'test',
    reportingInstance: 'test',
    action: 'Test',
    reason: 'SomethingElse',
    note: 'not about the canary',
    type: 'Normal',
    regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: NS },
  });
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('status <name> (real API server, status written by the test)', () => {
  it('prints phase, time in phase, progress, checks, metrics against thresholds and the Canary’s events', async () => {
    const r = await runCli(['status', 'podinfo', '-n', NS]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Canary     ${NS}/podinfo`);
    expect(lines[1]).toMatch(/^Phase {6}Progressing for 2m1\ds$/);
    expect(lines).toContain(
      'Progress   [######------------------------] 10% of 50%, step 2/4 (5 [10] 25 50)',
    );
    expect(lines).toContain('Checks     1/5 failed checks');
    expect(lines).toContain('  success-rate  99.73  >= 99      Successful');
    expect(lines).toContain('  latency-p99     612  <= 500     Failed      612 > 500');
    expect(r.stdout).toMatch(/Normal\s+Advanced\s+canary weight 10/);
    expect(r.stdout).toMatch(/Warning\s+CheckFailed\s+latency-p99 612 > 500/);
    expect(r.stdout).not.toContain('SomethingElse');
  });

  it('writes no escape or control characters when stdout is not a terminal', async () => {
    const r = await runCli(['status', 'podinfo', '-n', NS]);
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('colours a terminal, and not with NO_COLOR', async () => {
    const coloured = await runCli(['status', 'podinfo', '-n', NS], { tty: true });
    expect(coloured.stdout).toContain('\u001b[36mProgressing\u001b[39m');
    const noColor = await runCli(['status', 'podinfo', '-n', NS], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toMatch(CONTROL);
    expect(noColor.stdout).toContain('█'); // still a terminal: block characters, just no colour
  });

  it('prints the same facts as JSON and YAML', async () => {
    const json = await runCli(['status', 'podinfo', '-n', NS, '-o', 'json']);
    const data = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(data).toMatchObject({
      namespace: NS,
      name: 'podinfo',
      phase: 'Progressing',
      canaryWeight: 10,
      failedChecks: 1,
      threshold: 5,
      strategy: { kind: 'canary', weights: [5, 10, 25, 50] },
      metrics: [
        { name: 'success-rate', value: 99.734, min: 99, result: 'Successful' },
        { name: 'latency-p99', value: 612, max: 500, result: 'Failed' },
      ],
    });
    expect((data['events'] as { reason: string }[]).map((e) => e.reason).sort()).toEqual([
      'Advanced',
      'CheckFailed',
    ]);
    const yaml = await runCli(['status', 'podinfo', '-n', NS, '-o', 'yaml']);
    expect(yaml.stdout).toContain('phase: Progressing\n');
  });

  it('fails with exit code 1 and a clear message for a missing Canary', async () => {
    const r = await runCli(['status', 'nope', '-n', NS]);
    expect(r).toEqual({
      stdout: '',
      stderr: `weightlifter: Canary ${NS}/nope not found\n`,
      exitCode: 1,
    });
  });

  it('names the route kind and object: none before there is one, then the TrafficSplit', async () => {
    const before = await runCli(['status', 'podinfo', '-n', NS]);
    expect(before.stdout.split('\n')).toContain('Route      none');
    const split = `/apis/split.smi-spec.io/v1alpha4/namespaces/${NS}/trafficsplits`;
    const owner = {
      apiVersion: 'weightlifter.io/v1alpha1',
      kind: 'Canary',
      name: 'podinfo',
      uid: canary.metadata.uid ?? '',
      controller: true,
    };
    await raw.create(split, {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'podinfo', namespace: NS, ownerReferences: [owner] },
      spec: {
        service: 'podinfo',
        backends: [
          { service: 'podinfo-primary', weight: 90 },
          { service: 'podinfo-canary', weight: 10 },
        ],
      },
    });
    const r = await runCli(['status', 'podinfo', '-n', NS]);
    expect(r.stdout.split('\n')).toContain('Route      TrafficSplit/podinfo');
    const json = await runCli(['status', 'podinfo', '-n', NS, '-o', 'json']);
    expect((JSON.parse(json.stdout) as Record<string, unknown>)['routes']).toEqual({
      objects: [{ kind: 'TrafficSplit', name: 'podinfo' }],
      error: null,
    });
  });

  it('rejects a bad --interval before touching the cluster', async () => {
    const r = await runCli(['status', 'podinfo', '-n', NS, '--watch', '--interval', 'often']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--interval "often"/);
  });
});

describe('status with limited permissions', () => {
  it('still shows the Canary when its Events may not be listed, and says why they are missing', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'canary-reader', namespace: NS },
    };
    await raw.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
      ...role,
      rules: [{ apiGroups: ['weightlifter.io'], resources: ['canaries'], verbs: ['get', 'list'] }],
    });
    await raw.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      metadata: { name: 'canary-reader', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'canary-reader' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'cli-canary-reader' },
      ],
    });
    const kubeconfig = await kubeconfigFor('cli-canary-reader');
    const r = await eventually('the RoleBinding to take effect', async () => {
      const run = await runCli(['status', 'podinfo', '-n', NS], { kubeconfig });
      return run.exitCode === 0 ? run : undefined;
    });
    expect(r.stdout).toContain('Checks     1/5 failed checks');
    expect(r.stdout).toMatch(/Events {2}unavailable: .*403/);
    expect(r.stdout).toMatch(/Route {6}unavailable: .*403/);
  });
});

describe('status without a name', () => {
  it('lists the Canaries of the namespace, and of all namespaces with -A', async () => {
    const r = await runCli(['status', '-n', NS]);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^NAME\s+PHASE\s+WEIGHT\s+STEP\s+FAILED\s+IN PHASE\s+MESSAGE$/,
    );
    expect(r.stdout).toMatch(/podinfo\s+Progressing\s+\[##--------\] 10%\s+2\/4\s+1\/5/);
    const all = await runCli(['status', '-A']);
    expect(all.stdout).toMatch(new RegExp(`${NS}\\s+podinfo\\s+Progressing`));
  });
});

describe('status --watch', () => {
  async function watch(
    extra: string[],
    tty: boolean,
    change: () => Promise<void>,
  ): Promise<string> {
    const stop = new AbortController();
    let polls = 0;
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      polls += 1;
      await realSleep(ms, signal);
    };
    const out = capture(tty);
    const running = runCli(
      ['status', 'podinfo', '-n', NS, '--watch', '--interval', '100ms', ...extra],
      {
        stdout: out,
        tty,
        watchSignal: stop.signal,
        sleep,
      },
    );
    await eventually('the first output', () => out.text.length > 0);
    await change();
    const seen = polls;
    await eventually(
      'the change and several more polls',
      () => out.text.includes('25') && polls >= seen + 5,
    );
    stop.abort();
    const r = await running;
    expect(r.exitCode).toBe(0);
    return r.stdout;
  }

  it('prints one line per change on a pipe, however often it polls', async () => {
    await writeStatus({ canaryWeight: 10, stepIndex: 2 });
    const text = await watch([], false, () => writeStatus({ canaryWeight: 25, stepIndex: 3 }));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${NS}/podinfo phase=Progressing weight=10% step=2/4 failed=1/5 `,
      ),
    );
    expect(lines[1]).toMatch(/weight=25% step=3\/4/);
    expect(text).not.toMatch(CONTROL);
  });

  it('prints one JSON document per change with -o json', async () => {
    await writeStatus({ canaryWeight: 10, stepIndex: 2 });
    const text = await watch(['-o', 'json'], false, () =>
      writeStatus({ canaryWeight: 25, stepIndex: 3 }),
    );
    const docs = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { canaryWeight: number });
    expect(docs.map((d) => d.canaryWeight)).toEqual([10, 25]);
  });

  it('redraws the frame in place on a terminal', async () => {
    await writeStatus({ canaryWeight: 10, stepIndex: 2 });
    const text = await watch([], true, () => writeStatus({ canaryWeight: 25, stepIndex: 3 }));
    // eslint-disable-next-line no-control-regex -- the redraw sequence is what is tested
    const frames = text.split(/\u001b\[\d+F\u001b\[J/);
    expect(frames.length).toBeGreaterThan(2);
    expect(frames[0]).toContain('10% of 50%');
    expect(frames[frames.length - 1]).toContain('25% of 50%');
  });
});

describe('status <name> of a compare check (real API server, status written by the test)', () => {
  const verdict =
    'canary n=12 median 50.02, primary n=12 median 40.01; shift +10.01 (98% CI +9.2 to +10.8), ' +
    'p 3.6e-5, mean ratio 1.25; Failed: p 3.6e-5 < 0.02, increase beyond tolerance ±4.001 (0.1 × 40.01)';

  beforeAll(async () => {
    const manifest = canaryManifest(NS, 'compared');
    manifest.spec.analysis = {
      ...manifest.spec.analysis,
      metrics: [
        {
          name: 'latency-vs-primary',
          prometheus: { query: 'x{deployment="{{ target }}"}' },
          compare: { direction: 'increase' },
        },
      ],
    };
    await raw.create(collectionPath(BUILTIN.deployments, NS), deployment(NS, 'compared'));
    await raw.create<Canary>(collectionPath(CANARY_REF, NS), manifest);
    // The evidence as the engine records it; the API server's schema must accept it.
    await raw.patch(objectPath(CANARY_REF, NS, 'compared', 'status'), {
      status: {
        observedGeneration: 1,
        phase: 'Failed',
        phaseSince: at(5),
        lastAnalysis: [
          {
            metric: 'latency-vs-primary',
            result: 'Failed',
            value: 50.02,
            message: verdict,
            at: at(5),
            compare: {
              canary: { samples: 12, median: 50.02 },
              primary: { samples: 12, median: 40.01 },
              shift: 10.01,
              shiftLower: 9.2,
              shiftUpper: 10.8,
              pValue: 3.6e-5,
              meanRatio: 1.25,
            },
          },
        ],
      } satisfies CanaryStatus,
    });
  });

  it('shows the check against the primary and its whole verdict; JSON keeps the evidence', async () => {
    const r = await runCli(['status', 'compared', '-n', NS]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(
      lines.some((l) => /^ {2}latency-vs-primary +50\.02 +vs primary \(increase\) +Failed/.test(l)),
    ).toBe(true);
    expect(lines).toContain('Compared with the primary');
    expect(lines).toContain(`  latency-vs-primary: ${verdict}`);
    const canary = await raw.get<Canary>(objectPath(CANARY_REF, NS, 'compared'));
    expect(canary.status?.lastAnalysis?.[0]?.compare).toEqual({
      canary: { samples: 12, median: 50.02 },
      primary: { samples: 12, median: 40.01 },
      shift: 10.01,
      shiftLower: 9.2,
      shiftUpper: 10.8,
      pValue: 3.6e-5,
      meanRatio: 1.25,
    });
  });
});

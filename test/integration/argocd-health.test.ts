// The Argo CD health check (deploy/argocd/health.lua, as argocd-cm.yaml ships it) run on
// gopher-lua, the interpreter Argo CD embeds, with only the libraries Argo CD opens (base, table,
// package: no string, math, os or io), through hack/health-checker (test/e2e/health-checker.ts).
// The statuses are the ones the controller writes: phases from src/api, conditions from
// src/machine/conditions.ts (the engine's own function), generation vs observedGeneration.
// test/integration/e2e-gitops-health.test.ts asks the same checker about statuses recorded from a
// running controller; this file covers every phase of src/api and the edge cases in a second.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { Canary, CanaryStatus } from '../../src/api/canary.js';
import { API_VERSION, GROUP, KINDS, PHASES, type Phase } from '../../src/api/constants.js';
import { healthOfPhase, nextConditions, type Health } from '../../src/machine/conditions.js';
import { checkHealth, requireHealthChecker } from '../e2e/health-checker.js';

const SCRIPT = join(process.cwd(), 'deploy', 'argocd', 'health.lua');
const NOW = '2026-11-24T12:00:00Z';

// Fails at once, naming `bash hack/build-health-checker.sh`, when the checker is not built.
requireHealthChecker();

interface ArgoHealth {
  readonly status: string;
  readonly message: string;
}

/** Argo CD's verdicts for Canaries, in order; a script error fails the test. */
async function runHealthAll(canaries: readonly unknown[]): Promise<ArgoHealth[]> {
  const reports = await checkHealth(canaries);
  return reports.map((r) => {
    if (r.argocd.error !== undefined) throw new Error(`health.lua failed: ${r.argocd.error}`);
    return { status: r.argocd.status, message: r.argocd.message };
  });
}

async function runHealth(canary: unknown): Promise<ArgoHealth> {
  const [hs] = await runHealthAll([canary]);
  if (hs === undefined) throw new Error('the checker returned no verdict');
  return hs;
}

interface Situation {
  readonly phase: Phase;
  readonly reason?: string;
  readonly message?: string;
  readonly health?: Health;
  readonly generation?: number;
  readonly observedGeneration?: number | null;
  readonly status?: Partial<CanaryStatus>;
  readonly suspend?: boolean;
}

/** The Canary as Argo CD sees it (plain JSON, not client-node's model classes). */
type CanaryJson = Omit<Canary, 'metadata'> & {
  metadata: { name: string; namespace: string; generation: number };
};

/** A Canary with the status the engine writes for a situation (conditions from nextConditions). */
function canaryIn(s: Situation): CanaryJson {
  const generation = s.generation ?? 3;
  const conditions = nextConditions([], {
    phase: s.phase,
    health: s.health ?? healthOfPhase(s.phase),
    reason: s.reason ?? s.phase,
    message: s.message ?? `phase ${s.phase}`,
    generation: s.observedGeneration ?? generation,
    now: NOW,
  });
  const status: CanaryStatus = {
    phase: s.phase,
    phaseSince: NOW,
    canaryWeight: 0,
    failedChecks: 0,
    conditions,
    ...s.status,
  };
  if (s.observedGeneration !== null) status.observedGeneration = s.observedGeneration ?? generation;
  return {
    apiVersion: 'weightlifter.io/v1alpha1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', generation },
    spec: {
      targetRef: { name: 'podinfo' },
      service: { port: 9898 },
      ...(s.suspend === undefined ? {} : { suspend: s.suspend }),
    },
    status,
  };
}

describe('Argo CD health check (real Lua interpreter)', () => {
  it.each<[string, string, Situation, RegExp]>([
    [
      'Initializing',
      'Progressing',
      {
        phase: 'Initializing',
        reason: 'Initializing',
        message: 'waiting for the primary to become ready',
      },
      /Initializing: waiting for the primary/,
    ],
    [
      'Initialized',
      'Healthy',
      {
        phase: 'Initialized',
        reason: 'Initialized',
        message: 'primary ready with revision abc; all traffic on primary',
      },
      /^Canary Initialized: primary ready/,
    ],
    [
      'Progressing at 10%',
      'Progressing',
      {
        phase: 'Progressing',
        reason: 'Progressing',
        message: 'canary weight 10',
        status: { canaryWeight: 10 },
      },
      /^Canary Progressing, canary weight 10%: canary weight 10$/,
    ],
    [
      'Progressing, a failed check',
      'Progressing',
      {
        phase: 'Progressing',
        reason: 'CheckFailed',
        message: 'failed check 1/5: latency-p99 612 > 500',
        status: { canaryWeight: 25, failedChecks: 1 },
      },
      /failed check 1\/5/,
    ],
    [
      'WaitingPromotion (confirm-promotion gate)',
      'Suspended',
      {
        phase: 'WaitingPromotion',
        reason: 'WaitingPromotion',
        message: 'confirm-promotion: HTTP 403',
        status: { canaryWeight: 50 },
      },
      /WaitingPromotion.*confirm-promotion: HTTP 403/,
    ],
    [
      'Promoting',
      'Progressing',
      {
        phase: 'Promoting',
        reason: 'Promoting',
        message: 'promoting revision abc: analysis passed',
        status: { canaryWeight: 50 },
      },
      /Promoting/,
    ],
    [
      'Finalising',
      'Progressing',
      {
        phase: 'Finalising',
        reason: 'Finalising',
        message: 'primary ready; routing all traffic to the primary',
      },
      /Finalising/,
    ],
    [
      'Succeeded',
      'Healthy',
      { phase: 'Succeeded', reason: 'Succeeded', message: 'revision abc promoted' },
      /^Canary Succeeded: revision abc promoted$/,
    ],
    [
      'Failed (threshold)',
      'Degraded',
      {
        phase: 'Failed',
        reason: 'FailedChecksThresholdReached',
        message: 'rolled back revision abc: 5 failed checks',
      },
      /^Canary failed: rolled back revision abc: 5 failed checks$/,
    ],
    [
      'Failed (manual abort)',
      'Degraded',
      {
        phase: 'Failed',
        reason: 'Aborted',
        message: 'rolled back revision abc: aborted by an operator',
      },
      /aborted by an operator/,
    ],
    [
      'Waiting outside the deployment window',
      'Suspended',
      {
        phase: 'Waiting',
        reason: 'OutsideDeploymentWindow',
        message: 'revision abc waits for a deployment window',
      },
      /OutsideDeploymentWindow/,
    ],
    [
      'Waiting for confirm-rollout',
      'Suspended',
      { phase: 'Waiting', reason: 'ConfirmRolloutPending', message: 'confirm-rollout: HTTP 403' },
      /ConfirmRolloutPending/,
    ],
    [
      'Waiting for a run slot',
      'Progressing',
      {
        phase: 'Waiting',
        reason: 'ConcurrencyLimit',
        message: 'waiting for another canary run to finish',
      },
      /another canary run/,
    ],
    [
      'Waiting on an invalid spec (stalled)',
      'Degraded',
      {
        phase: 'Waiting',
        reason: 'InvalidSpec',
        message: 'analysis.stepWeights must be strictly ascending',
        health: 'stalled',
      },
      /stalled \(InvalidSpec\): analysis.stepWeights/,
    ],
    [
      'target missing after a promotion (stalled)',
      'Degraded',
      {
        phase: 'Succeeded',
        reason: 'TargetNotFound',
        message: 'the target Deployment does not exist',
        health: 'stalled',
      },
      /TargetNotFound/,
    ],
    [
      'primary never ready (stalled)',
      'Degraded',
      {
        phase: 'Initializing',
        reason: 'PrimaryNotReady',
        message: 'primary not ready within the progress deadline',
        health: 'stalled',
      },
      /PrimaryNotReady/,
    ],
    [
      'traffic shift stalled',
      'Degraded',
      {
        phase: 'Finalising',
        reason: 'TrafficShiftStalled',
        message: 'TrafficSplit has not reached 100/0',
        health: 'stalled',
      },
      /TrafficShiftStalled/,
    ],
    [
      'Terminating',
      'Progressing',
      {
        phase: 'Terminating',
        reason: 'Terminating',
        message: 'Canary deleted; restoring the target',
      },
      /Terminating/,
    ],
    [
      'paused mid-run',
      'Suspended',
      {
        phase: 'Progressing',
        reason: 'Paused',
        message: 'paused by an operator: resume to continue',
        status: { paused: true, canaryWeight: 10 },
      },
      /paused by an operator/,
    ],
    [
      'spec.suspend on a settled Canary',
      'Suspended',
      {
        phase: 'Succeeded',
        reason: 'Suspended',
        message: 'spec.suspend is true: no changes are made',
        suspend: true,
      },
      /spec.suspend/,
    ],
    [
      'paused after a failure stays Degraded',
      'Degraded',
      { phase: 'Failed', reason: 'Paused', message: 'paused', status: { paused: true } },
      /Canary failed/,
    ],
  ])('%s -> %s', async (_name, status, situation, message) => {
    const hs = await runHealth(canaryIn(situation));
    expect(hs.status).toBe(status);
    expect(hs.message).toMatch(message);
  });

  it('is Progressing while the controller has not observed the latest generation (kstatus)', async () => {
    const stale = canaryIn({
      phase: 'Succeeded',
      reason: 'Succeeded',
      generation: 4,
      observedGeneration: 3,
    });
    expect(await runHealth(stale)).toEqual({
      status: 'Progressing',
      message: 'Waiting for the controller to observe generation 4',
    });
    const caughtUp = canaryIn({
      phase: 'Succeeded',
      reason: 'Succeeded',
      generation: 4,
      observedGeneration: 4,
    });
    expect((await runHealth(caughtUp)).status).toBe('Healthy');
  });

  it("falls back to the Ready condition's observedGeneration when status.observedGeneration is absent", async () => {
    const c = canaryIn({
      phase: 'Succeeded',
      reason: 'Succeeded',
      generation: 5,
      observedGeneration: null,
    });
    expect((await runHealth(c)).status).toBe('Healthy');
    const older = { ...c, metadata: { ...c.metadata, generation: 6 } };
    expect((await runHealth(older)).status).toBe('Progressing');
  });

  it('is Progressing before the controller wrote any status', async () => {
    const fresh: Partial<CanaryJson> = canaryIn({ phase: 'Initializing' });
    delete fresh.status;
    expect(await runHealth(fresh)).toEqual({
      status: 'Progressing',
      message: 'Waiting for the weightlifter controller to initialise the Canary',
    });
  });

  it('answers one of the four Argo CD statuses for every phase of src/api', async () => {
    const seen = (await runHealthAll(PHASES.map((phase) => canaryIn({ phase })))).map(
      (hs) => hs.status,
    );
    for (const status of seen)
      expect(['Healthy', 'Progressing', 'Degraded', 'Suspended']).toContain(status);
    expect(Object.fromEntries(PHASES.map((p, i) => [p, seen[i]]))).toMatchObject({
      Initialized: 'Healthy',
      Succeeded: 'Healthy',
      Failed: 'Degraded',
      Progressing: 'Progressing',
    });
  });

  it('passes messages with quotes, backslashes, newlines and non-ASCII text through intact', async () => {
    const message = 'say "hi" \\ to\nthe canary: 99.5 % ✓';
    const hs = await runHealth(canaryIn({ phase: 'Failed', reason: 'Aborted', message }));
    expect(hs.message).toBe(`Canary failed: ${message}`);
  });
});

describe('the checker runs Lua as Argo CD does', () => {
  it('opens base, table and package only: string and math are not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-cm-'));
    try {
      const cm = (script: string): string => {
        const file = join(dir, 'argocd-cm.yaml');
        writeFileSync(
          file,
          `kind: ConfigMap\ndata:\n  resource.customizations.health.${GROUP}_${KINDS.canary}: |\n${script
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}\n`,
        );
        return file;
      };
      const canary = canaryIn({ phase: 'Succeeded' });
      const allowed = cm(
        'local t = {}\ntable.insert(t, tostring(obj.status.phase))\nreturn {status = "Healthy", message = t[1]}',
      );
      const [ok] = await checkHealth([canary], { argocdFile: allowed });
      expect(ok?.argocd).toEqual({ status: 'Healthy', message: 'Succeeded' });
      for (const call of [
        'string.format("%d", 1)',
        'math.floor(1.5)',
        'os.time()',
        'io.write("x")',
      ]) {
        const [r] = await checkHealth([canary], {
          argocdFile: cm(`local x = ${call}\nreturn {status = "Healthy", message = ""}`),
        });
        expect([call, r?.argocd.status]).toEqual([call, 'Error']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/argocd files', () => {
  it('argocd-cm.yaml carries exactly health.lua under the Canary key', () => {
    const cm = parse(
      readFileSync(join(process.cwd(), 'deploy', 'argocd', 'argocd-cm.yaml'), 'utf8'),
    ) as {
      kind: string;
      metadata: { name: string };
      data: Record<string, string>;
    };
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.name).toBe('argocd-cm');
    expect(cm.data['resource.customizations.health.weightlifter.io_Canary']).toBe(
      readFileSync(SCRIPT, 'utf8'),
    );
  });

  it('health.lua sticks to Lua 5.1 syntax (Argo CD runs gopher-lua)', () => {
    const code = readFileSync(SCRIPT, 'utf8')
      .split('\n')
      .map((l) => l.replace(/--.*$/, ''))
      .join('\n');
    for (const construct of ['//', 'goto', '::', '<<', '>>', '&', '<const>', '<close>']) {
      expect(code).not.toContain(construct);
    }
    // `~` only as part of `~=` (5.3 added unary/binary `~` for bitwise xor/not).
    expect(code.replace(/~=/g, '')).not.toContain('~');
    expect(code).not.toMatch(/[^|]\|[^|]/);
  });
});

describe('GitOps examples', () => {
  it('refer to the Canary by the group, version and kind of src/api', () => {
    const docs = parseAllDocuments(
      readFileSync(join(process.cwd(), 'deploy', 'flux', 'podinfo.yaml'), 'utf8'),
    ).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
    const ks = docs.find((d) => d.kind === 'Kustomization');
    const refs = [
      ...((ks?.spec['healthChecks'] ?? []) as { apiVersion: string; kind: string }[]),
      ...((ks?.spec['healthCheckExprs'] ?? []) as { apiVersion: string; kind: string }[]),
    ];
    expect(refs).toHaveLength(2);
    for (const r of refs) expect([r.apiVersion, r.kind]).toEqual([API_VERSION, KINDS.canary]);
    const key = Object.keys(
      (
        parse(readFileSync(join(process.cwd(), 'deploy', 'argocd', 'argocd-cm.yaml'), 'utf8')) as {
          data: object;
        }
      ).data,
    );
    expect(key).toEqual([`resource.customizations.health.${GROUP}_${KINDS.canary}`]);
    const app = parse(
      readFileSync(join(process.cwd(), 'deploy', 'argocd', 'application.yaml'), 'utf8'),
    ) as { kind: string };
    expect(app.kind).toBe('Application');
  });
});

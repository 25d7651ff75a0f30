// The engine as a table: one pure decide() per row, from a persisted status and observations to
// the next phase and reason. Gathered answers default to "all approve, checks pass".
import { expectAllowedTransition } from './allowed-transition.js';
import { describe, expect, it } from '@jest/globals';
import type { Phase } from '../../../src/api/constants.js';
import { decide } from '../../../src/machine/decide.js';
import type {
  EngineStatus,
  Gathered,
  GateHookType,
  Observed,
  StepInput,
  StepPlan,
  WebhookOutcome,
} from '../../../src/machine/types.js';
import { FAILED, MINUTE, PENDING, READY, bad, ok, spec, unsure } from './harness.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

const observed = (o: Partial<Observed> = {}): Observed => ({
  deleting: false,
  blocked: null,
  routesWrittenAt: null,
  target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: READY },
  primary: { revision: 'rev1', readiness: READY },
  routes: { primaryWeight: 70, canaryWeight: 30 },
  initialized: true,
  runSlotAvailable: true,
  promotedTemplate: 'rev1',
  ...o,
});

const running = (s: Partial<EngineStatus> = {}): EngineStatus => ({
  phase: 'Progressing',
  phaseSince: ago(2 * MINUTE),
  revision: 'rev2',
  lastPromotedRevision: 'rev1',
  canaryWeight: 30,
  stepIndex: 1,
  failedChecks: 0,
  iterations: 0,
  lastAnalysisAt: ago(MINUTE),
  ...s,
});

/** A run that has not ticked yet: weight 0, no lastAnalysisAt. */
function firstTick(): EngineStatus {
  const status = running({ canaryWeight: 0, stepIndex: 0 });
  delete status.lastAnalysisAt;
  return status;
}

const settled = (phase: Phase, s: Partial<EngineStatus> = {}): EngineStatus => ({
  phase,
  phaseSince: ago(60 * MINUTE),
  revision: 'rev1',
  lastPromotedRevision: 'rev1',
  canaryWeight: 0,
  targetScaledDown: true,
  ...s,
});

const approve: WebhookOutcome = { called: 1, succeeded: 1, message: 'ok' };
const refuse: WebhookOutcome = { called: 1, succeeded: 0, message: 'no' };
const silent: WebhookOutcome = { called: 0, succeeded: 0, message: '' };

interface Row {
  name: string;
  status: EngineStatus | undefined;
  observed?: Partial<Observed>;
  hooks?: Partial<Record<GateHookType, WebhookOutcome>>;
  checks?: Gathered['checks'];
  preflight?: Gathered['preflight'];
  spec?: Parameters<typeof spec>[0];
  operation?: StepInput['operation'];
  to: Phase;
  reason: string;
}

/** Runs decide() to a plan, answering every request from the row. */
function plan(row: Row): { plan: StepPlan; asked: string[] } {
  const input: StepInput = {
    spec: spec(row.spec),
    status: row.status,
    generation: 1,
    observed: observed(row.observed),
    operation: row.operation ?? null,
    now: NOW,
  };
  let gathered: Gathered = { webhooks: {}, checks: null, preflight: null };
  const asked: string[] = [];
  for (let i = 0; i < 10; i++) {
    const outcome = decide(input, gathered);
    if (outcome.kind === 'plan') {
      // deterministic: the same input and answers give the same plan
      expect(decide(input, gathered)).toEqual(outcome);
      expectAllowedTransition(outcome.plan.transition);
      return { plan: outcome.plan, asked };
    }
    const r = outcome.request;
    if (r.kind === 'checks') {
      asked.push('checks');
      gathered = { ...gathered, checks: row.checks ?? { results: [ok()] } };
    } else if (r.kind === 'preflight') {
      asked.push('preflight');
      gathered = { ...gathered, preflight: row.preflight ?? { problems: [] } };
    } else {
      asked.push(r.call.hookType);
      const answer =
        row.hooks?.[r.call.hookType] ?? (r.call.hookType === 'rollback' ? silent : approve);
      gathered = { ...gathered, webhooks: { ...gathered.webhooks, [r.call.hookType]: answer } };
    }
  }
  throw new Error('decide() kept asking');
}

const rows: Row[] = [
  // Initializing
  {
    name: 'fresh canary starts initializing',
    status: undefined,
    observed: { primary: null, routes: null, initialized: false },
    to: 'Initializing',
    reason: 'Initializing',
  },
  {
    name: 'initializing: primary ready',
    status: { phase: 'Initializing', phaseSince: ago(MINUTE) },
    observed: {
      primary: { revision: 'rev1', readiness: READY },
      routes: { primaryWeight: 100, canaryWeight: 0 },
    },
    to: 'Initialized',
    reason: 'Initialized',
  },
  {
    name: 'initializing: primary stuck past deadline',
    status: { phase: 'Initializing', phaseSince: ago(11 * MINUTE) },
    observed: { primary: { revision: 'rev1', readiness: PENDING } },
    to: 'Initializing',
    reason: 'PrimaryNotReady',
  },
  // Settled phases
  {
    name: 'initialized: same revision stays',
    status: settled('Initialized'),
    observed: {
      target: { revision: 'rev1', trackedConfigs: {}, replicas: 0, readiness: READY },
      routes: { primaryWeight: 100, canaryWeight: 0 },
    },
    to: 'Initialized',
    reason: 'Initialized',
  },
  {
    name: 'succeeded: new revision starts a run',
    status: settled('Succeeded'),
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'failed: same failed revision stays failed',
    status: settled('Failed', { revision: 'rev2' }),
    observed: { routes: { primaryWeight: 100, canaryWeight: 0 } },
    to: 'Failed',
    reason: 'Failed',
  },
  {
    name: 'failed: the route back to the primary held past the deadline is stalled',
    status: settled('Failed', { revision: 'rev2' }),
    to: 'Failed',
    reason: 'TrafficShiftStalled',
  },
  {
    name: 'failed: the route back to the primary held within the deadline keeps routing',
    status: settled('Failed', { revision: 'rev2', phaseSince: ago(MINUTE) }),
    to: 'Failed',
    reason: 'Failed',
  },
  {
    name: 'failed: target reverted to promoted revision is no run',
    status: settled('Failed', { revision: 'rev2' }),
    observed: { target: { revision: 'rev1', trackedConfigs: {}, replicas: 0, readiness: READY } },
    to: 'Failed',
    reason: 'RevisionReverted',
  },
  {
    name: 'succeeded: confirm-rollout refuses',
    status: settled('Succeeded'),
    hooks: { 'confirm-rollout': refuse },
    to: 'Waiting',
    reason: 'ConfirmRolloutPending',
  },
  {
    name: 'succeeded: skipAnalysis starts a run that waits for the canary to be ready',
    status: settled('Succeeded'),
    spec: { skipAnalysis: true },
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'progressing: skipAnalysis promotes a ready canary',
    status: running(),
    spec: { skipAnalysis: true },
    to: 'Promoting',
    reason: 'Promoting',
  },
  {
    name: 'progressing: skipAnalysis does not promote a canary that is not ready',
    status: running(),
    spec: { skipAnalysis: true },
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: PENDING } },
    to: 'Progressing',
    reason: 'WaitingForCanary',
  },
  {
    name: 'succeeded: a pre-flight problem keeps weight 0 and says which check',
    status: settled('Succeeded'),
    preflight: {
      problems: [{ check: 'error-rate', reason: 'QueryInvalid', message: 'parse error at char 5' }],
    },
    to: 'Waiting',
    reason: 'QueryInvalid',
  },
  {
    name: 'succeeded: several kinds of pre-flight problem are PreflightFailed',
    status: settled('Succeeded'),
    preflight: {
      problems: [
        { check: 'error-rate', reason: 'QueryInvalid', message: 'parse error' },
        { check: 'latency', reason: 'TemplateNotFound', message: 'no AnalysisTemplate x' },
      ],
    },
    to: 'Waiting',
    reason: 'PreflightFailed',
  },
  {
    name: 'succeeded: the primary deleted is rebuilt from the stored promoted template',
    status: settled('Succeeded'),
    observed: {
      primary: null,
      initialized: false,
      routes: { primaryWeight: 100, canaryWeight: 0 },
    },
    to: 'Succeeded',
    reason: 'PrimaryMissing',
  },
  {
    name: 'failed: the primary deleted after a rollback is rebuilt, the run stays Failed',
    status: settled('Failed', { revision: 'rev2' }),
    observed: {
      primary: null,
      initialized: false,
      routes: { primaryWeight: 100, canaryWeight: 0 },
    },
    to: 'Failed',
    reason: 'PrimaryMissing',
  },
  {
    name: 'failed: no stored template and the target unanalysed: no rebuild, stalled',
    status: settled('Failed', { revision: 'rev2' }),
    observed: { primary: null, initialized: false, promotedTemplate: null },
    to: 'Failed',
    reason: 'PrimaryTemplateUnavailable',
  },
  {
    name: 'succeeded: a primary that is not ready is not Ready',
    status: settled('Succeeded'),
    observed: {
      target: { revision: 'rev1', trackedConfigs: {}, replicas: 0, readiness: READY },
      primary: { revision: 'rev1', readiness: PENDING },
      routes: { primaryWeight: 100, canaryWeight: 0 },
    },
    to: 'Succeeded',
    reason: 'WaitingForPrimary',
  },
  // Waiting
  {
    name: 'waiting: gates open now',
    status: { ...settled('Waiting'), revision: 'rev2' },
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'waiting: still no slot',
    status: { ...settled('Waiting'), revision: 'rev2' },
    observed: { runSlotAvailable: false },
    to: 'Waiting',
    reason: 'ConcurrencyLimit',
  },
  // Progressing
  {
    name: 'progressing: tick not due',
    status: running({ lastAnalysisAt: ago(10_000) }),
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'progressing: pass advances',
    status: running(),
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'progressing: failure counted',
    status: running(),
    checks: { results: [bad()] },
    to: 'Progressing',
    reason: 'CheckFailed',
  },
  {
    name: 'progressing: threshold reached',
    status: running({ failedChecks: 1 }),
    checks: { results: [bad()] },
    to: 'Failed',
    reason: 'FailedChecksThresholdReached',
  },
  {
    name: 'progressing: inconclusive holds',
    status: running(),
    checks: { results: [unsure()] },
    to: 'Progressing',
    reason: 'AnalysisInconclusive',
  },
  {
    name: 'progressing: inconclusive past deadline',
    status: running({ inconclusiveSince: ago(10 * MINUTE) }),
    checks: { results: [unsure()] },
    to: 'Failed',
    reason: 'AnalysisInconclusive',
  },
  {
    name: 'progressing: canary pending',
    status: running(),
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: PENDING } },
    to: 'Progressing',
    reason: 'WaitingForCanary',
  },
  {
    name: 'progressing: canary unready for the whole deadline',
    status: running({ phaseSince: ago(10 * MINUTE), canaryUnreadySince: ago(10 * MINUTE) }),
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: PENDING } },
    to: 'Failed',
    reason: 'ProgressDeadlineExceeded',
  },
  {
    name: 'progressing: canary just became unready late in a step: its own deadline',
    status: running({ phaseSince: ago(10 * MINUTE), canaryUnreadySince: ago(MINUTE) }),
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: PENDING } },
    to: 'Progressing',
    reason: 'WaitingForCanary',
  },
  {
    name: 'progressing: canary first seen unready late in a step: its own deadline',
    status: running({ phaseSince: ago(10 * MINUTE) }),
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: PENDING } },
    to: 'Progressing',
    reason: 'WaitingForCanary',
  },
  {
    name: 'progressing: canary failed',
    status: running(),
    observed: { target: { revision: 'rev2', trackedConfigs: {}, replicas: 2, readiness: FAILED } },
    to: 'Failed',
    reason: 'CanaryNotReady',
  },
  {
    name: 'progressing: new revision restarts',
    status: running(),
    observed: { target: { revision: 'rev3', trackedConfigs: {}, replicas: 2, readiness: READY } },
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'progressing: rollback hook',
    status: running(),
    hooks: { rollback: approve },
    to: 'Failed',
    reason: 'RollbackRequested',
  },
  {
    name: 'progressing: at max, promotion confirmed',
    status: running({ canaryWeight: 50 }),
    observed: { routes: { primaryWeight: 50, canaryWeight: 50 } },
    to: 'Promoting',
    reason: 'Promoting',
  },
  {
    name: 'progressing: at max, promotion refused',
    status: running({ canaryWeight: 50 }),
    observed: { routes: { primaryWeight: 50, canaryWeight: 50 } },
    hooks: { 'confirm-promotion': refuse },
    to: 'WaitingPromotion',
    reason: 'WaitingPromotion',
  },
  // WaitingPromotion
  {
    name: 'waitingPromotion: approved',
    status: running({ phase: 'WaitingPromotion', canaryWeight: 50 }),
    observed: { routes: { primaryWeight: 50, canaryWeight: 50 } },
    to: 'Promoting',
    reason: 'Promoting',
  },
  {
    name: 'waitingPromotion: failure threshold',
    status: running({ phase: 'WaitingPromotion', canaryWeight: 50, failedChecks: 1 }),
    observed: { routes: { primaryWeight: 50, canaryWeight: 50 } },
    checks: { results: [bad()] },
    to: 'Failed',
    reason: 'FailedChecksThresholdReached',
  },
  // Promoting / Finalising
  {
    name: 'promoting: primary ready',
    status: running({ phase: 'Promoting', canaryWeight: 50 }),
    observed: { primary: { revision: 'rev2', readiness: READY } },
    to: 'Finalising',
    reason: 'Finalising',
  },
  {
    name: 'promoting: primary rolling',
    status: running({ phase: 'Promoting', canaryWeight: 50 }),
    observed: { primary: { revision: 'rev2', readiness: PENDING } },
    to: 'Promoting',
    reason: 'Promoting',
  },
  {
    name: 'promoting: primary failed',
    status: running({ phase: 'Promoting', canaryWeight: 50 }),
    observed: { primary: { revision: 'rev2', readiness: FAILED } },
    to: 'Failed',
    reason: 'PromotionFailed',
  },
  {
    name: 'finalising: routes back',
    status: running({ phase: 'Finalising', canaryWeight: 0 }),
    observed: {
      routes: { primaryWeight: 100, canaryWeight: 0 },
      primary: { revision: 'rev2', readiness: READY },
    },
    to: 'Succeeded',
    reason: 'Succeeded',
  },
  // Terminating and operations
  {
    name: 'deletion from any phase',
    status: running(),
    observed: { deleting: true },
    to: 'Terminating',
    reason: 'Terminating',
  },
  {
    name: 'abort operation',
    status: running(),
    operation: { request: 'abort', action: 'abort' },
    to: 'Failed',
    reason: 'Aborted',
  },
  {
    name: 'retry operation',
    status: settled('Failed', { revision: 'rev2' }),
    operation: { request: 'retry', action: 'retry' },
    to: 'Progressing',
    reason: 'Progressing',
  },
  {
    name: 'suspend',
    status: running(),
    spec: { suspend: true },
    to: 'Progressing',
    reason: 'Suspended',
  },
];

describe('decide(): phase transitions', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const { plan: p } = plan(row);
    expect({ to: p.transition.to, reason: p.transition.reason }).toEqual({
      to: row.to,
      reason: row.reason,
    });
  });

  it('covers every phase as a starting point', () => {
    const from = new Set(rows.map((r) => r.status?.phase ?? 'Initializing'));
    const to = new Set(rows.map((r) => r.to));
    const all = [
      'Initializing',
      'Initialized',
      'Waiting',
      'Progressing',
      'WaitingPromotion',
      'Promoting',
      'Finalising',
      'Succeeded',
      'Failed',
    ];
    for (const p of all) expect(from.has(p as Phase)).toBe(true);
    for (const p of [...all, 'Terminating']) expect(to.has(p as Phase)).toBe(true);
  });
});

describe('decide(): what it asks for, in order', () => {
  it.each<[string, Row, string[]]>([
    [
      'a regular tick',
      { name: '', status: running(), to: 'Progressing', reason: '' },
      ['rollback', 'rollout', 'checks', 'confirm-traffic-increase'],
    ],
    [
      'the first tick',
      {
        name: '',
        status: firstTick(),
        observed: { routes: { primaryWeight: 100, canaryWeight: 0 } },
        to: 'Progressing',
        reason: '',
      },
      ['rollback', 'pre-rollout', 'confirm-traffic-increase'],
    ],
    [
      'a tick at max weight',
      {
        name: '',
        status: running({ canaryWeight: 50 }),
        observed: { routes: { primaryWeight: 50, canaryWeight: 50 } },
        to: 'Promoting',
        reason: '',
      },
      ['rollback', 'rollout', 'checks', 'confirm-promotion'],
    ],
    [
      'a failing rollout hook skips the checks',
      { name: '', status: running(), hooks: { rollout: refuse }, to: 'Progressing', reason: '' },
      ['rollback', 'rollout'],
    ],
    [
      'a new revision',
      { name: '', status: settled('Succeeded'), to: 'Progressing', reason: '' },
      ['preflight', 'confirm-rollout'],
    ],
    [
      'a closed window asks nothing',
      {
        name: '',
        status: settled('Succeeded'),
        spec: { schedule: { deny: ['* * * * *'] } },
        to: 'Waiting',
        reason: '',
      },
      [],
    ],
    [
      'a tick that is not due asks nothing',
      { name: '', status: running({ lastAnalysisAt: ago(1_000) }), to: 'Progressing', reason: '' },
      [],
    ],
  ])('%s', (_name, row, expected) => {
    expect(plan(row).asked).toEqual(expected);
  });
});

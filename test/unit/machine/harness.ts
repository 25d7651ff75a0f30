// An in-memory world behind the engine's own actor interfaces (EngineActors): a target, a
// primary, a TrafficSplit and a persisted status, changed only by the effects the engine applies.
// Nothing here fakes Kubernetes; it stands in for our routing/workload/hooks adapters.
import { expect } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import type { MetricCheckResult } from '../../../src/analysis/evaluate.js';
import type { WebhookType } from '../../../src/api/constants.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { expectAllowedTransition } from './allowed-transition.js';
import {
  runCanaryStep,
  type EngineActors,
  type StepLimits,
  type StepResult,
} from '../../../src/machine/run-step.js';
import type {
  Blocked,
  ChecksCall,
  PreflightProblem,
  StepPlan,
  Effect,
  EngineSpec,
  EngineStatus,
  Observed,
  ObservedPrimary,
  ObservedTarget,
  OperationRequest,
  Readiness,
  Routes,
  WebhookCall,
  WebhookOutcome,
} from '../../../src/machine/types.js';

export const MINUTE = 60_000;
export const READY: Readiness = { state: 'ready' };
export const PENDING: Readiness = {
  state: 'pending',
  message: '1 of 2 updated replicas available',
};
export const FAILED: Readiness = { state: 'failed', message: 'ProgressDeadlineExceeded' };

export function spec(overrides: Partial<EngineSpec> = {}): EngineSpec {
  return {
    intervalMs: MINUTE,
    threshold: 2,
    errorLimit: 3,
    checks: { metrics: 1, gateHooks: 0 },
    windowMs: MINUTE,
    noDataPasses: false,
    minRequests: 0,
    // The engine's default is on; its tests (fail-fast.test.ts) turn it on where they look at it.
    failFast: false,
    progression: { stepWeight: 30, maxWeight: 50 },
    stepWeightPromotion: 0,
    progressDeadlineMs: 10 * MINUTE,
    skipAnalysis: false,
    suspend: false,
    revertOnDeletion: true,
    schedule: undefined,
    ...overrides,
  };
}

export const ok = (metric = 'success-rate', value = 99.9): MetricCheckResult => ({
  metric,
  result: 'Successful',
  value,
  message: `${value} within range`,
});
export const bad = (metric = 'success-rate', value = 80): MetricCheckResult => ({
  metric,
  result: 'Failed',
  value,
  message: `${value} < min 99`,
});
export const unsure = (metric = 'success-rate'): MetricCheckResult => ({
  metric,
  result: 'Inconclusive',
  message: 'no data (noData: inconclusive)',
});

type Hook = WebhookOutcome | ((call: WebhookCall) => WebhookOutcome);
const approve: WebhookOutcome = { called: 0, succeeded: 0, message: 'no hooks' };
export const deny = (message = 'not yet'): WebhookOutcome => ({ called: 1, succeeded: 0, message });
export const allow: WebhookOutcome = { called: 1, succeeded: 1, message: 'ok' };

/** Applies an RFC 7386 merge patch, as the API server does to `/status`. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** A step that reached a decision. */
export type Decided = StepResult & { readonly plan: StepPlan };

export interface Call {
  readonly actor: string;
  readonly input: unknown;
}

export class World {
  target: (ObservedTarget & { revision: string }) | null = {
    revision: 'rev1',
    trackedConfigs: { 'configmap/app': 'c1' },
    replicas: 2,
    readiness: READY,
  };
  primary: ObservedPrimary | null = null;
  routes: Routes | null = null;
  initialized = false;
  deleting = false;
  runSlotAvailable = true;
  /** The revision whose promoted template is stored (recordPromoted writes it). */
  promotedTemplate: string | null = null;
  /** What the pre-flight of a run finds. */
  preflightProblems: PreflightProblem[] = [];
  /** The scrape interval the pre-flight reads, if any. */
  preflightScrapeMs: number | undefined = undefined;
  finalized = false;
  status: EngineStatus | undefined = undefined;
  generation = 1;
  operation: OperationRequest | null = null;
  hooks: Partial<Record<WebhookType, Hook>> = {};
  checks:
    readonly MetricCheckResult[] | ((call: ChecksCall) => Promise<readonly MetricCheckResult[]>) = [
    ok(),
  ];
  /** Readiness the primary gets when created or promoted, and the canary when scaled up. */
  primaryReadinessOnRollout: Readiness = READY;
  canaryReadinessOnScaleUp: Readiness = READY;
  calls: Call[] = [];
  /** The router's endpoint gate holds route changes: routeTraffic is called but changes nothing. */
  routesHeld = false;
  /** What blocks the step (an invalid spec, a refused takeover, ...), as the loop observed it. */
  blocked: Blocked | null = null;
  /**
   * The route object's last write time as the API server records it (whole seconds), or null as
   * from a cache that keeps none; routeTraffic and initialize set it, as setRoutes and create do.
   */
  routesWrittenAt: number | null = null;
  /** Whether writes to the routes record their time (a real API server does). */
  recordsWriteTimes = true;
  /** Every canary weight the split actually took, in order (like a watch on the TrafficSplit). */
  routeHistory: number[] = [];
  /** Per actor name: make the next calls fail (or hang) instead of acting. */
  failing: Partial<Record<keyof EngineActors, 'throw' | 'hang'>> = {};

  /**
   * The mesh reports on each route change later (Gateway API acceptance): routeTraffic leaves the
   * weights awaiting that report (`awaiting`, routes null) until accept() is called.
   */
  meshReportsLater = false;
  /** The weights the route carries while the mesh has not reported on them. */
  awaiting: Routes | null = null;

  /** The mesh refuses the route object (Gateway API route status), in its own words. */
  routeRejection: Blocked | null = null;
  /** The route object's kind, as the router names it. */
  routeKind = 'TrafficSplit';
  /** What initialization still lacks, as observe() lists it. */
  missing: string[] = [];
  /** A route object of the routing API the Canary used before still exists. */
  routesLeftBehind = false;

  readonly clock = new ManualClock(Date.UTC(2026, 5, 1, 10, 0, 0));

  observe(): Observed {
    return {
      deleting: this.deleting,
      blocked: this.blocked,
      target: this.target === null ? null : { ...this.target },
      primary: this.primary === null ? null : { ...this.primary },
      routes: this.routes === null ? null : { ...this.routes },
      routesWrittenAt: this.routesWrittenAt,
      initialized: this.initialized,
      missing: [...this.missing],
      routesLeftBehind: this.routesLeftBehind,
      routeRejection: this.routeRejection,
      routesAwaitingAcceptance: this.awaiting === null ? null : { ...this.awaiting },
      routeKind: this.routeKind,
      runSlotAvailable: this.runSlotAvailable,
      promotedTemplate: this.promotedTemplate,
    };
  }

  /** The user changes the target's pod template (or a tracked config). */
  release(
    revision: string,
    configs: Record<string, string> = { 'configmap/app': `c-${revision}` },
  ): void {
    if (this.target === null) throw new Error('no target');
    this.target = { ...this.target, revision, trackedConfigs: configs };
  }

  /** Someone (the engine's effect, or a person) wrote the route object now. */
  /** The mesh accepts the route's weights: its status write is the route's newest write. */
  accept(): void {
    if (this.awaiting === null) throw new Error('no route change awaits the mesh');
    this.routes = this.awaiting;
    this.awaiting = null;
    this.routesWritten();
    if (this.routeHistory.at(-1) !== this.routes.canaryWeight)
      this.routeHistory.push(this.routes.canaryWeight);
  }

  routesWritten(): void {
    if (this.recordsWriteTimes) this.routesWrittenAt = Math.floor(this.clock.now() / 1000) * 1000;
  }

  called(actor: string): Call[] {
    return this.calls.filter((c) => c.actor === actor);
  }

  hookCalls(): WebhookType[] {
    return this.called('callWebhooks').map((c) => (c.input as WebhookCall).hookType);
  }

  private act(actor: keyof EngineActors, input: unknown, apply: () => void): Promise<void> {
    this.calls.push({ actor, input });
    const mode = this.failing[actor];
    if (mode === 'throw') return Promise.reject(new Error(`${actor} exploded`));
    if (mode === 'hang') return new Promise(() => undefined);
    apply();
    return Promise.resolve();
  }

  actors(): EngineActors {
    return {
      callWebhooks: (call) => {
        this.calls.push({ actor: 'callWebhooks', input: call });
        if (this.failing.callWebhooks === 'hang') return new Promise(() => undefined);
        if (this.failing.callWebhooks === 'throw')
          return Promise.reject(new Error('hook client broke'));
        const hook = this.hooks[call.hookType] ?? approve;
        return Promise.resolve(typeof hook === 'function' ? hook(call) : hook);
      },
      runChecks: (call) => {
        this.calls.push({ actor: 'runChecks', input: call });
        if (this.failing.runChecks === 'hang') return new Promise(() => undefined);
        const checks = this.checks;
        return typeof checks === 'function'
          ? checks(call).then((results) => ({ results }))
          : Promise.resolve({ results: checks });
      },
      persistStatus: ({ patch, status }) =>
        this.act('persistStatus', patch, () => {
          this.status = applyMergePatch(this.status, patch) as EngineStatus;
          // The patch must turn the old status into exactly the planned one.
          expect(this.status).toEqual(status);
        }),
      initialize: (e) =>
        this.act('initialize', e, () => {
          if (this.target === null) throw new Error('no target');
          if (e.primaryFrom === 'stored' && this.promotedTemplate === null)
            throw new Error('no stored template');
          this.primary ??= {
            revision: e.primaryFrom === 'stored' ? this.promotedTemplate : this.target.revision,
            readiness: this.primaryReadinessOnRollout,
          };
          if (this.routes === null) {
            this.routes = { primaryWeight: 100, canaryWeight: 0 };
            this.routesWritten();
          }
          this.initialized = true;
        }),
      recordPromoted: (e) =>
        this.act('recordPromoted', e, () => {
          this.promotedTemplate = e.revision;
        }),
      preflight: (call) => {
        this.calls.push({ actor: 'preflight', input: call });
        if (this.failing.preflight === 'hang') return new Promise(() => undefined);
        if (this.failing.preflight === 'throw') return Promise.reject(new Error('preflight broke'));
        const problems = [...this.preflightProblems];
        const scrapeMs = this.preflightScrapeMs;
        return Promise.resolve(scrapeMs === undefined ? { problems } : { problems, scrapeMs });
      },
      promotePrimary: (e) =>
        this.act('promotePrimary', e, () => {
          this.primary = { revision: e.revision, readiness: this.primaryReadinessOnRollout };
        }),
      scaleCanary: (e) =>
        this.act('scaleCanary', e, () => {
          if (this.target === null) return;
          this.target =
            e.to === 'up'
              ? { ...this.target, replicas: 2, readiness: this.canaryReadinessOnScaleUp }
              : { ...this.target, replicas: 0 };
        }),
      routeTraffic: (e) =>
        this.act('routeTraffic', e, () => {
          if (this.routesHeld) return;
          if (this.meshReportsLater) {
            if (this.awaiting?.canaryWeight === e.canaryWeight) return; // unchanged: no write
            this.awaiting = { primaryWeight: e.primaryWeight, canaryWeight: e.canaryWeight };
            this.routes = null;
            this.routesWritten();
            return;
          }
          this.routes = { primaryWeight: e.primaryWeight, canaryWeight: e.canaryWeight };
          this.routesWritten();
          if (this.routeHistory.at(-1) !== e.canaryWeight) this.routeHistory.push(e.canaryWeight);
        }).then(() => (this.routesHeld ? { held: 'endpoints not ready' } : undefined)),
      finalize: (e) =>
        this.act('finalize', e, () => {
          this.finalized = true;
        }),
      releaseOldRoutes: (e) =>
        this.act('releaseOldRoutes', e, () => {
          this.routesLeftBehind = false;
        }),
      emitEvent: (e) => this.act('emitEvent', e, () => undefined),
    };
  }

  /** One reconcile, as the controller will run it. */
  async reconcile(theSpec: EngineSpec = spec(), limits?: StepLimits): Promise<Decided> {
    const result = await runCanaryStep(
      this.actors(),
      {
        spec: theSpec,
        status: this.status,
        generation: this.generation,
        observed: this.observe(),
        operation: this.operation,
      },
      limits === undefined ? { clock: this.clock } : { clock: this.clock, limits },
    );
    const { plan } = result;
    if (plan === null) throw new Error(`step failed before deciding: ${String(result.error)}`);
    expectAllowedTransition(plan.transition);
    return { ...result, plan };
  }

  /** Moves the clock on (no timers are pending between steps: the engine keeps none). */
  async wait(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** Reconciles until nothing changes or the phase reaches `phase`, with no time passing. */
  async settle(theSpec: EngineSpec = spec(), max = 10): Promise<Decided[]> {
    const results: Decided[] = [];
    for (let i = 0; i < max; i++) {
      const r = await this.reconcile(theSpec);
      results.push(r);
      if (r.plan.statusPatch === null && r.plan.effects.length === 0) return results;
    }
    throw new Error(`did not settle in ${max} reconciles`);
  }

  /** An initialised canary whose rev2 run has taken its first step (weight 30 by default). */
  static async atFirstStep(theSpec: EngineSpec = spec()): Promise<World> {
    const w = await World.initialized(theSpec);
    w.release('rev2');
    await w.reconcile(theSpec);
    await w.reconcile(theSpec);
    expect(w.status).toMatchObject({ phase: 'Progressing', stepIndex: 1 });
    w.calls = [];
    return w;
  }

  /** A Canary initialised with rev1 on the primary, target scaled to 0. */
  static async initialized(theSpec: EngineSpec = spec()): Promise<World> {
    const w = new World();
    await w.settle(theSpec);
    expect(w.status?.phase).toBe('Initialized');
    w.calls = [];
    return w;
  }
}

export const types = (effects: readonly Effect[]): string[] =>
  effects.map((e) =>
    e.type === 'scaleCanary'
      ? `scaleCanary:${e.to}`
      : e.type === 'routeTraffic'
        ? `routeTraffic:${e.canaryWeight}`
        : e.type === 'callWebhooks'
          ? `callWebhooks:${e.call.hookType}`
          : e.type === 'emitEvent'
            ? `event:${e.reason}`
            : e.type,
  );

export function condition(
  status: EngineStatus | undefined,
  type: string,
): { status: string; reason: string } | undefined {
  const c = status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : { status: c.status, reason: c.reason };
}

export const same = isDeepStrictEqual;

// The engine's vocabulary: what one reconcile step reads (StepInput), what it may ask for while
// deciding (GatherRequest), and what it decides (StepPlan: next status, effects, requeue).
// See README.md in this folder for the contract with the reconcile loop.
import type { MetricCheckResult } from '../analysis/evaluate.js';
import type { PreflightOutcome, PreflightProblem } from '../analysis/preflight-problems.js';
import type { CanaryStatus } from '../api/canary.js';
import type { ManualOperation, Phase, WebhookType } from '../api/constants.js';
import type { ProgressionSpec } from '../progression/strategy.js';
import type { IdleScalePolicy } from '../workload/gitops-scale.js';
import type { ScheduleSpec } from '../progression/windows.js';

/** Status as the engine reads and writes it (the API type; kept as an alias for the engine's vocabulary). */
export type EngineStatus = CanaryStatus;

/** The Canary spec, defaulted and with durations in ms (see spec.ts: engineSpecFrom). */
export interface EngineSpec {
  /** spec.targetRef.name, for messages (absent in hand-built specs). */
  readonly targetName?: string;
  readonly intervalMs: number;
  readonly threshold: number;
  /** Ticks in a row whose checks could not be evaluated before the run rolls back. */
  readonly errorLimit: number;
  /**
   * What the run's evidence consists of: metric checks, and gate webhooks (rollout,
   * confirm-*, pre-rollout) that can stop it. With neither, every step passes blind.
   */
  readonly checks: { readonly metrics: number; readonly gateHooks: number };
  /**
   * The longest metric window (0 without metrics). A tick measures no earlier than this long
   * after the weight began (or the last tick), so every window covers only its own step's traffic.
   */
  readonly windowMs: number;
  /** Some metric uses noData: pass, so a run must have seen data before it is promoted. */
  readonly noDataPasses: boolean;
  /** analysis.minRequests: a fail-fast failure needs this many requests (0: none). */
  readonly minRequests: number;
  /** analysis.failFast: within a step, failures are evaluated at every scrape (phases/fail-fast.ts). */
  readonly failFast: boolean;
  readonly progression: ProgressionSpec;
  readonly stepWeightPromotion: number;
  readonly progressDeadlineMs: number;
  readonly skipAnalysis: boolean;
  readonly suspend: boolean;
  readonly revertOnDeletion: boolean;
  readonly schedule: ScheduleSpec | undefined;
  /** Scaling the idle target down again after a GitOps scale-up; default DEFAULT_IDLE_SCALE_POLICY. */
  readonly idleScale?: IdleScalePolicy;
}

/** Readiness of a Deployment's current template; `failed` is final (ProgressDeadlineExceeded). */
export type Readiness =
  | { readonly state: 'ready' }
  | { readonly state: 'pending'; readonly message: string }
  | { readonly state: 'failed'; readonly message: string };

export interface ObservedTarget {
  /** revisionOf(target pod template, tracked configs).revision */
  readonly revision: string;
  readonly trackedConfigs: Readonly<Record<string, string>>;
  /** spec.replicas of the target Deployment (the canary workload). */
  readonly replicas: number;
  /**
   * The Deployment's; while a Canary being deleted is blocked, also its `-canary` Service's ready
   * endpoints: with no router, no gated route change stands between the target and the apex.
   */
  readonly readiness: Readiness;
}

export interface ObservedPrimary {
  /** The revision the primary's template was copied from (our annotation); null if unknown. */
  readonly revision: string | null;
  readonly readiness: Readiness;
  /** spec.replicas; compared with what a GitOps tool asks of the target (idle-scale.ts). */
  readonly replicas?: number;
}

/**
 * Weights of the live TrafficSplit, as exact percentages: a split that is not a whole percentage
 * (899/101) reads as a fraction (89.9/10.1), so it never passes for a step's weight.
 */
export interface Routes {
  readonly primaryWeight: number;
  readonly canaryWeight: number;
}

/**
 * Something only the controller can see stops the step before any run logic: an invalid spec, no
 * router for the routing API (not served, or a strategy it cannot express), an object of ours that
 * the Canary does not control (a Service without the takeover annotation, a TrafficSplit or primary
 * someone else owns), a tracked ConfigMap or Secret missing. The fix is a change to some object,
 * whose watch event runs the next step.
 */
export interface Blocked {
  /** A CamelCase condition reason (api/constants.ts CONDITION_REASONS). */
  readonly reason: string;
  readonly message: string;
}

/** What the reconcile loop read from its caches for this step. */
export interface Observed {
  /** metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
  /**
   * null: nothing blocks the step. Otherwise the step decides only the blocked verdict (and, for
   * a Canary being deleted, how to let go of it): see phases/blocked.ts.
   */
  readonly blocked: Blocked | null;
  /** null: the target Deployment does not exist. */
  readonly target: ObservedTarget | null;
  /** null: `<target>-primary` does not exist. */
  readonly primary: ObservedPrimary | null;
  /**
   * null: the route object does not exist, routes no readable pair of weights, or (Gateway API)
   * the mesh has not accepted its current generation yet; no router could be built to read it;
   * or one of the Canary's objects is not ours (NotOwned), so the route is neither read nor
   * written.
   */
  readonly routes: Routes | null;
  /**
   * The mesh refused the route object (Gateway API: Accepted=False or ResolvedRefs=False for our
   * parent), with the mesh's own reason and message; absent or null when it did not.
   */
  readonly routeRejection?: Blocked | null;
  /**
   * The weights the route object carries while the mesh has not yet reported on its current
   * generation (Gateway API: no Accepted condition about it yet); absent or null otherwise.
   */
  readonly routesAwaitingAcceptance?: Routes | null;
  /** The route object's kind, for messages (e.g. "HTTPRoute"); absent means TrafficSplit. */
  readonly routeKind?: string;
  /**
   * When the route object was last written, by anyone (the API server's managedFields time, 1 s
   * resolution); null when unknown. A weight is measured only from after it: a split someone set
   * to the status weight while the controller was down has held that weight only since then.
   */
  readonly routesWrittenAt: number | null;
  /** Primary Deployment, apex/primary/canary Services and the route object all exist. */
  readonly initialized: boolean;
  /** When not initialized: what is still missing, for people (e.g. "Service web-canary"). */
  readonly missing?: readonly string[];
  /**
   * A route object of another routing API that this Canary controls still exists: the Canary's
   * provider changed (spec.routing.provider), and the old object goes once the new one routes.
   */
  readonly routesLeftBehind?: boolean;
  /** The global limit on concurrently running canaries lets this one start a run. */
  readonly runSlotAvailable: boolean;
  /**
   * The revision whose primary template (and config copies) is stored durably for this Canary,
   * so a deleted primary can be rebuilt from what was last promoted; null when none is stored.
   */
  readonly promotedTemplate: string | null;
}

/** The operation annotation's value; `action` null when it names no known operation. */
export interface OperationRequest {
  readonly request: string;
  readonly action: ManualOperation | null;
}

export interface StepInput {
  readonly spec: EngineSpec;
  readonly status: EngineStatus | undefined;
  readonly generation: number;
  readonly observed: Observed;
  readonly operation: OperationRequest | null;
  /** Epoch ms, from the injected clock; the only notion of time in a step. */
  readonly now: number;
}

/** Webhook types consulted while deciding (their answer changes the decision). */
export type GateHookType = Extract<
  WebhookType,
  | 'confirm-rollout'
  | 'pre-rollout'
  | 'rollout'
  | 'confirm-traffic-increase'
  | 'confirm-promotion'
  | 'rollback'
>;

export interface WebhookCall {
  readonly hookType: WebhookType;
  readonly phase: Phase;
  readonly revision: string;
}

/** Hooks of one type, run in order; `succeeded < called` means one refused or failed. */
export interface WebhookOutcome {
  readonly called: number;
  readonly succeeded: number;
  readonly message: string;
}

export interface ChecksCall {
  readonly phase: Phase;
  readonly revision: string;
  readonly canaryWeight: number;
  /**
   * Epoch ms when traffic at `canaryWeight` began to be measured (the route change, or the moment
   * the TrafficSplit was seen at the weight). A measurement, shared or not, must cover only
   * traffic after it: a window that begins at or after it.
   */
  readonly since: number;
  /**
   * Epoch ms where the checks' windows end: the step's point on the step grid
   * (src/progression/step-grid.ts), at least one step after `since` and not after now. Every
   * Canary judged at the same point asks about the same window, so one query can answer them.
   * A fail-fast evaluation's windows end instead at the latest point of the scrape grid
   * (multiples of the scrape interval counted from the epoch), the same for every Canary with
   * that cadence evaluated in that scrape interval, whenever its step began.
   */
  readonly until: number;
  /**
   * A fail-fast evaluation within the step: each check's window is shortened to this (ms), a
   * fixed number of scrape intervals (phases/fail-fast.ts), and `until - earlyWindowMs >= since`:
   * it measures only the step's traffic. Absent: the step's own evaluation over each check's window.
   */
  readonly earlyWindowMs?: number;
}

export interface ChecksOutcome {
  readonly results: readonly MetricCheckResult[];
}

/** Before a run moves traffic: can every check and webhook of the Canary be evaluated? */
export interface PreflightCall {
  readonly revision: string;
}

// The pre-flight's answer is analysis's vocabulary (src/analysis/preflight-problems.ts).
export type { PreflightOutcome, PreflightProblem };

export type GatherRequest =
  | { readonly kind: 'webhooks'; readonly call: WebhookCall & { readonly hookType: GateHookType } }
  | { readonly kind: 'checks'; readonly call: ChecksCall }
  | { readonly kind: 'preflight'; readonly call: PreflightCall };

export interface Gathered {
  readonly webhooks: Readonly<Partial<Record<GateHookType, WebhookOutcome>>>;
  readonly checks: ChecksOutcome | null;
  readonly preflight: PreflightOutcome | null;
}

export const NOTHING_GATHERED: Gathered = { webhooks: {}, checks: null, preflight: null };

/**
 * Something to do to the world after the new status is persisted. All but the last two converge
 * the world on the status and are idempotent (diff-then-patch); the last two are notifications,
 * sent at most once.
 *
 * `initialize` creates what is missing; a missing primary is built from the target (first
 * initialisation, or the target still runs the promoted revision) or from the stored promoted
 * template (`stored`), never from an unanalysed target. `recordPromoted` stores the live primary's
 * template (and config copies) as the promoted template of `revision`. `releaseOldRoutes` removes
 * (or gives back) the route objects of a routing API the Canary no longer uses.
 */
export type Effect =
  | { readonly type: 'initialize'; readonly primaryFrom: 'target' | 'stored' }
  | { readonly type: 'recordPromoted'; readonly revision: string }
  | { readonly type: 'promotePrimary'; readonly revision: string }
  | { readonly type: 'scaleCanary'; readonly to: 'up' | 'zero' }
  | { readonly type: 'routeTraffic'; readonly primaryWeight: number; readonly canaryWeight: number }
  | { readonly type: 'finalize' }
  | { readonly type: 'releaseOldRoutes' }
  | {
      readonly type: 'emitEvent';
      readonly eventType: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    }
  | { readonly type: 'callWebhooks'; readonly call: WebhookCall };

export type EffectType = Effect['type'];

/** What an effect's actor may return: a route change the router held back (endpoints not ready). */
export interface EffectOutcome {
  readonly held?: string;
}
export type EffectOf<T extends EffectType> = Extract<Effect, { type: T }>;

/** RFC 7386 merge patch for `/status` (null deletes a field). */
export type StatusPatch = Readonly<Record<string, unknown>>;

export interface StepPlan {
  /** The complete next status (what the patch produces when applied to the input status). */
  readonly status: EngineStatus;
  /** null when nothing changed: no write at all. */
  readonly statusPatch: StatusPatch | null;
  /** In order; apply only after statusPatch is persisted. */
  readonly effects: readonly Effect[];
  /** null: nothing is time-dependent; wait for the next watch event. */
  readonly requeueAfterMs: number | null;
  readonly transition: {
    readonly from: Phase;
    readonly to: Phase;
    readonly reason: string;
    readonly message: string;
  };
}

export type DecideOutcome =
  | { readonly kind: 'gather'; readonly request: GatherRequest }
  | { readonly kind: 'plan'; readonly plan: StepPlan };

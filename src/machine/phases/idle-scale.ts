// A GitOps tool (Argo CD self-heal, Flux) scaling the idle target back up outside a run: same
// revision, so no analysis; and no tug of war — the policy in src/workload/gitops-scale.ts scales
// it to 0 a bounded number of times with growing pauses, then leaves it (its pods get no traffic)
// and says so. The routine scale-down after a run is attempt 1 (`targetScaledDown` once seen).
// The history lives in the status as status.idleScale — status is the only durable state — and
// only counts for the current idle period (attempts at or after status.phaseSince). The
// `TargetScaledDown` condition says the same for people; nothing reads it back.
import type { Condition } from '../../api/canary.js';
import {
  DEFAULT_IDLE_SCALE_POLICY,
  NO_IDLE_SCALE_HISTORY,
  decideIdleScale,
  type IdleScaleHistory,
} from '../../workload/gitops-scale.js';
import { event, keep, routesAt, type Ctx, type Step, type Verdict } from '../draft.js';
import type { RunState } from '../resume.js';
import type { ObservedTarget } from '../types.js';

export const IDLE_SCALE_CONDITION = 'TargetScaledDown';

/** The history recorded in the current idle period; null when there is none. */
function recordedHistory(state: RunState): IdleScaleHistory | null {
  const recorded = state.idleScale;
  if (recorded === null) return null;
  // A record from an earlier idle period (before this phase began) does not count.
  const when = recorded.lastAttemptAt;
  if (when !== undefined && state.phaseSince !== null && when < state.phaseSince) return null;
  return recorded;
}

/**
 * Scale-downs so far in this idle period. Without a record: the routine scale-down, seen done
 * (targetScaledDown) at about the time the phase began (statuses written before this record).
 */
export function idleScaleHistory(state: RunState): IdleScaleHistory {
  const since = state.phaseSince;
  return (
    recordedHistory(state) ?? { attempts: 1, ...(since === null ? {} : { lastAttemptAt: since }) }
  );
}

function record(
  ctx: Ctx,
  state: RunState,
  c: Pick<Condition, 'status' | 'reason'> & { attempts: number; text: string },
): RunState {
  const max = (ctx.spec.idleScale ?? DEFAULT_IDLE_SCALE_POLICY).maxAttempts;
  const before = state.conditions.find((x) => x.type === IDLE_SCALE_CONDITION);
  const now = new Date(ctx.now).toISOString();
  const condition: Condition = {
    type: IDLE_SCALE_CONDITION,
    status: c.status,
    reason: c.reason,
    message: `scale-down ${c.attempts} of ${max} at ${now}; ${c.text}`,
    lastTransitionTime:
      before !== undefined && before.status === c.status ? before.lastTransitionTime : now,
    observedGeneration: ctx.input.generation,
  };
  const others = state.conditions.filter((x) => x.type !== IDLE_SCALE_CONDITION);
  const idleScale: IdleScaleHistory = {
    attempts: c.attempts,
    lastAttemptAt: ctx.now,
    ...(c.status === 'False' ? { gaveUp: true } : {}),
  };
  return { ...state, idleScale, conditions: [...others, condition] };
}

/** Drops the history: a new run starts a new idle period afterwards. */
export function forgetIdleScale(state: RunState): RunState {
  return {
    ...state,
    idleScale: null,
    conditions: state.conditions.filter((x) => x.type !== IDLE_SCALE_CONDITION),
  };
}

/**
 * After giving up, the target is at 0 again (the user fixed the GitOps side and scaled it down):
 * the condition says so, but the count stays spent — a further scale-up is not fought either.
 */
function contestEnded(ctx: Ctx, state: RunState): Step | null {
  const history = idleScaleHistory(state);
  if (history.gaveUp !== true || history.lastAttemptAt === undefined) {
    return null;
  }
  const s = record(ctx, state, {
    status: 'True',
    reason: 'ScaledDown',
    attempts: history.attempts,
    text: 'the target is at 0 replicas again',
  });
  return keep(s);
}

/** Settled, at the last decided revision, no traffic, scaled down once and scaled up since. */
export function idleScale(ctx: Ctx, state: RunState, target: ObservedTarget): Step | null {
  if (target.replicas === 0) return contestEnded(ctx, state);
  if (!routesAt(ctx.observed.routes, 0)) return null;
  const recorded = recordedHistory(state);
  // The routine scale-down after a run: recorded as attempt 1 before it is made, so a tool that
  // scales the target up again before we ever see it at 0 meets the same bound.
  const first = !state.targetScaledDown && recorded === null;
  const action = decideIdleScale(
    {
      phase: state.phase,
      canaryWeight: state.canaryWeight,
      targetReplicas: target.replicas,
      targetRevision: target.revision,
      lastPromotedRevision: state.lastPromotedRevision ?? undefined,
      lastSeenRevision: state.revision ?? undefined,
      primaryReplicas: ctx.observed.primary?.replicas ?? target.replicas,
      history: first ? NO_IDLE_SCALE_HISTORY : (recorded ?? idleScaleHistory(state)),
      now: ctx.now,
    },
    ctx.spec.idleScale,
  );
  switch (action.kind) {
    case 'none':
      return null;
    case 'wait':
      return keep(state, { requeueAfterMs: action.retryAfterMs });
    case 'scaleToZero': {
      const replicas =
        action.primaryReplicas === undefined
          ? ''
          : `; note: it asks for ${action.primaryReplicas} replica(s), the primary runs ` +
            `${ctx.observed.primary?.replicas ?? '?'}`;
      const text = `${action.event.message}${replicas}`;
      const s = record(ctx, state, {
        status: 'True',
        reason: 'ScaledDown',
        attempts: action.history.attempts,
        text,
      });
      return keep(s, {
        effects: [{ type: 'scaleCanary', to: 'zero' }],
        // The routine one is part of every run's end: no Event of its own.
        notes: first ? [] : [event(action.event.type, action.event.reason, text)],
      });
    }
    case 'giveUp': {
      const s = record(ctx, state, {
        status: 'False',
        reason: action.condition.reason,
        attempts: action.history.attempts,
        text: action.condition.message,
      });
      return keep(s, { notes: [event('Warning', action.event.reason, action.event.message)] });
    }
  }
}

/**
 * A verdict that settles the Canary (Initialized, Succeeded) with the routine scale-down of the
 * target decided in the same step, when the split already shows all traffic on the primary: one
 * status write instead of two. Otherwise the verdict as it is (the settled phase decides it later).
 */
export function withRoutineScaleDown(ctx: Ctx, v: Verdict, target: ObservedTarget): Verdict {
  const scaled = idleScale(ctx, v.state, target);
  if (scaled?.kind !== 'verdict' || !scaled.effects.some((e) => e.type === 'scaleCanary')) return v;
  return {
    ...v,
    state: scaled.state,
    effects: [...v.effects, ...scaled.effects],
    notes: [...v.notes, ...scaled.notes],
  };
}

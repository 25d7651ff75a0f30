// Holding: spec.suspend (declarative; touch nothing at all) or the `pause` operation (imperative;
// no decisions, but the world is still held to the status — drift is repaired). Time spent held
// does not count against deadlines: on release every running deadline is shifted by it.
//
// A hold never changes what the Canary's health says (GitOps tools read it): a held run is still
// in progress, a held settled Canary still settled, and a held Failed Canary stays Stalled with its
// failure's reason and message. Otherwise Ready says Paused or Suspended, and the reason and
// message it replaced are kept in status.heldFrom and restored on release.
import { event, keep, verdict, type Ctx, type Verdict } from '../draft.js';
import { healthOfPhase, previousReady } from '../conditions.js';
import type { HeldFrom, RunState } from '../resume.js';

const HOLD_REASONS: ReadonlySet<string> = new Set(['Suspended', 'Paused']);

export function hold(ctx: Ctx, state: RunState, why: 'Suspended' | 'Paused'): Verdict {
  const starting = state.heldSince === null;
  const s: RunState = starting ? { ...state, heldSince: ctx.now } : state;
  const message =
    why === 'Suspended'
      ? 'spec.suspend is true: no changes are made'
      : 'paused by an operator: resume to continue';
  const handsOff = why === 'Suspended';
  const health = healthOfPhase(s.phase);
  if (health === 'stalled') {
    // The failure is what needs a person, paused or not: its reason and message stay.
    return keep(s, {
      health,
      handsOff,
      notes: starting ? [event('Normal', why, message)] : [],
    });
  }
  const before = previousReady(s.conditions);
  const heldFrom: HeldFrom | null =
    s.heldFrom ??
    (before === undefined || HOLD_REASONS.has(before.reason)
      ? null
      : { reason: before.reason, message: before.message });
  return verdict({ ...s, heldFrom }, why, message, { handsOff, health, announce: 'Normal' });
}

/**
 * Ends a hold: running deadlines are shifted by the time held, and the Ready reason and message
 * the hold replaced are put back, so a step with nothing new to say (keep) says them again.
 */
export function release(state: RunState, now: number): RunState {
  if (state.heldSince === null) return state;
  const held = Math.max(0, now - state.heldSince);
  const shift = (t: number | null): number | null => (t === null ? null : t + held);
  const from = state.heldFrom;
  const conditions =
    from === null
      ? state.conditions
      : state.conditions.map((c) =>
          c.type === 'Ready' ? { ...c, reason: from.reason, message: from.message } : c,
        );
  return {
    ...state,
    heldSince: null,
    heldFrom: null,
    conditions,
    phaseSince: shift(state.phaseSince),
    inconclusiveSince: shift(state.inconclusiveSince),
    canaryUnreadySince: shift(state.canaryUnreadySince),
    trafficShift:
      state.trafficShift === null
        ? null
        : { ...state.trafficShift, since: state.trafficShift.since + held },
  };
}

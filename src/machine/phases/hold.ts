// Holding: spec.suspend (declarative; touch nothing at all) or the `pause` operation (imperative;
// no decisions, but the world is still held to the status — drift is repaired). Time spent held
// does not count against deadlines: on release every running deadline is shifted by it.
import { verdict, type Ctx, type Verdict } from '../draft.js';
import { healthOfPhase } from '../conditions.js';
import type { RunState } from '../resume.js';

export function hold(ctx: Ctx, state: RunState, why: 'Suspended' | 'Paused'): Verdict {
  const s = state.heldSince === null ? { ...state, heldSince: ctx.now } : state;
  const message =
    why === 'Suspended'
      ? 'spec.suspend is true: no changes are made'
      : 'paused by an operator: resume to continue';
  const health = healthOfPhase(s.phase) === 'settled' ? 'settled' : 'progressing';
  return verdict(s, why, message, { handsOff: why === 'Suspended', health, announce: 'Normal' });
}

export function release(state: RunState, now: number): RunState {
  if (state.heldSince === null) return state;
  const held = Math.max(0, now - state.heldSince);
  const shift = (t: number | null): number | null => (t === null ? null : t + held);
  return {
    ...state,
    heldSince: null,
    phaseSince: shift(state.phaseSince),
    inconclusiveSince: shift(state.inconclusiveSince),
    canaryUnreadySince: shift(state.canaryUnreadySince),
    trafficShift:
      state.trafficShift === null
        ? null
        : { ...state.trafficShift, since: state.trafficShift.since + held },
  };
}

// From the Canary spec (src/api) to the engine's resolved spec: defaults applied (the API server
// stores most of them already; withStoredDefaults covers specs built in code) and durations in ms.
import type { CanarySpec } from '../api/canary.js';
import { STORED_DEFAULTS, metricWindow, withStoredDefaults } from '../api/defaults.js';
import { PROGRESSION_ERROR_REASONS, ProgressionError } from '../progression/errors.js';
import { progressionOf, strategyFrom } from '../progression/strategy.js';
import { compileSchedule } from '../progression/windows.js';
import { parseDuration } from '../time/duration.js';
import type { EngineSpec } from './types.js';

/** Webhook types whose answer can stop or fail a run (the others only notify). */
const GATE_HOOKS: ReadonlySet<string> = new Set([
  'pre-rollout',
  'rollout',
  'confirm-rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'rollback',
]);

/**
 * An invalid spec still yields a spec, with the default interval: the step is blocked
 * (InvalidSpec) and starts no run, but a Canary being deleted must still be let go of, honouring
 * revertOnDeletion (phases/blocked.ts).
 */
export type EngineSpecResult =
  | { readonly ok: true; readonly spec: EngineSpec }
  | { readonly ok: false; readonly error: ProgressionError; readonly spec: EngineSpec };

export function engineSpecFrom(canarySpec: CanarySpec): EngineSpecResult {
  const spec = withStoredDefaults(canarySpec);
  const analysis = spec.analysis ?? {};
  const interval = analysis.interval ?? STORED_DEFAULTS.analysis.interval;
  const intervalMs = parseDuration(interval);
  if (intervalMs === null || intervalMs < 1_000) {
    const message = `analysis.interval "${interval}" is not a duration of at least 1s`;
    const fallback = engineSpecFrom({
      ...spec,
      analysis: { ...analysis, interval: STORED_DEFAULTS.analysis.interval },
    });
    return {
      ok: false,
      error: new ProgressionError(PROGRESSION_ERROR_REASONS.invalidStrategy, message),
      spec: fallback.spec,
    };
  }
  const resolved: EngineSpec = {
    targetName: spec.targetRef.name,
    intervalMs,
    threshold: analysis.threshold ?? STORED_DEFAULTS.analysis.threshold,
    errorLimit: analysis.errorLimit ?? STORED_DEFAULTS.analysis.errorLimit,
    checks: {
      metrics: analysis.metrics?.length ?? 0,
      gateHooks: (analysis.webhooks ?? []).filter((h) =>
        GATE_HOOKS.has(h.type ?? STORED_DEFAULTS.webhook.type),
      ).length,
    },
    windowMs: Math.max(
      0,
      ...(analysis.metrics ?? []).map((m) => parseDuration(metricWindow(m, analysis)) ?? 0),
    ),
    noDataPasses: (analysis.noData ?? STORED_DEFAULTS.analysis.noData) === 'pass',
    minRequests: analysis.minRequests ?? STORED_DEFAULTS.analysis.minRequests,
    failFast: analysis.failFast ?? STORED_DEFAULTS.analysis.failFast,
    progression: progressionOf(analysis),
    stepWeightPromotion:
      analysis.stepWeightPromotion ?? STORED_DEFAULTS.analysis.stepWeightPromotion,
    progressDeadlineMs:
      (spec.progressDeadlineSeconds ?? STORED_DEFAULTS.progressDeadlineSeconds) * 1_000,
    skipAnalysis: spec.skipAnalysis ?? false,
    suspend: spec.suspend ?? false,
    revertOnDeletion: spec.revertOnDeletion ?? true,
    schedule: spec.schedule,
  };
  // What the CRD's schema and CEL cannot check (a cron expression cron cannot run, a time zone
  // that does not exist, an invalid strategy) is found here, on the first look, so the
  // Canary is Stalled (InvalidSpec) from its first status write, not at its next release.
  const schedule = compileSchedule(resolved.schedule);
  if (!schedule.ok) return { ok: false, error: schedule.error, spec: resolved };
  // skipAnalysis needs no strategy (the CRD lets it leave spec.analysis out).
  const strategy = resolved.skipAnalysis ? null : strategyFrom(resolved.progression);
  if (strategy !== null && !strategy.ok)
    return { ok: false, error: strategy.error, spec: resolved };
  return { ok: true, spec: resolved };
}

// Reaction: a few canaries among the idle fleet get a bad revision (every response fails).
// detection: template patch -> status Progressing for the new revision (seen by a watch);
// rollback: the failing check (the tick's time in status.lastAnalysis) -> TrafficSplit seen at
// 100 % primary. Half the samples run with analysis.failFast (the default), half with it off;
// for each mode, bad revision -> 100 % primary: from the split first seen sending the canary
// traffic to the split seen back at 100 % primary.
import type { BenchContext } from '../context.js';
import { BENCH_ERROR_CODES, BenchError } from '../errors.js';
import { CANARY_REF } from '../../src/canary/caches.js';
import { objectPath } from '../../src/kube/resources.js';
import { newRevision, stepSeconds, type FleetMember } from '../fleet.js';
import { waitQuiet } from '../quiet.js';
import { distribution, sleep, type Distribution } from '../stats.js';

export interface ReactionResult {
  readonly samples: number;
  /** Waiting for the controller to go quiet before the first bad revision. */
  readonly settledSeconds: number;
  readonly detection: Distribution;
  readonly rollback: Distribution;
  /** Template patch -> 100 % primary: includes waiting for the next analysis tick. */
  readonly patchToRollback: Distribution;
  /** First canary traffic -> 100 % primary, with analysis.failFast on (the default) and off. */
  readonly badToPrimary: { readonly failFast: Distribution; readonly intervalOnly: Distribution };
}

/** `k` members spread evenly over the fleet (so over its namespaces). */
export function sample(members: readonly FleetMember[], k: number): FleetMember[] {
  const step = members.length / Math.min(k, members.length);
  return Array.from(
    { length: Math.min(k, members.length) },
    (_, i) => members[Math.floor(i * step)],
  ).filter((m): m is FleetMember => m !== undefined);
}

interface Timing {
  readonly detectionMs: number;
  readonly rollbackMs: number;
  readonly patchToRollbackMs: number;
  readonly badToPrimaryMs: number;
  readonly failFast: boolean;
}

/** Sets the member's analysis.failFast (a spec change; no new revision). */
async function setFailFast(ctx: BenchContext, m: FleetMember, on: boolean): Promise<void> {
  await ctx.admin.patch(objectPath(CANARY_REF, m.namespace, m.name), {
    spec: { analysis: { failFast: on } },
  });
}

async function react(ctx: BenchContext, m: FleetMember, i: number): Promise<Timing> {
  const { tracker } = ctx;
  const failFast = i % 2 === 0;
  if (!failFast) await setFailFast(ctx, m, false);
  // Detection needs one reconcile; the rollback a first step and one window at its weight.
  const timeoutMs = 60_000 + 3 * stepSeconds(ctx.opts) * 1000;
  const old = tracker.status(m.key)?.revision;
  const isNew = (): boolean => {
    const r = tracker.status(m.key)?.revision;
    return r !== undefined && r !== old;
  };
  const phase = (): string | undefined => (isNew() ? tracker.status(m.key)?.phase : undefined);
  // A bad revision must never get past analysis: promoting it ends the wait with that news.
  const promoted = (): string | undefined => {
    const p = phase();
    return p === 'Promoting' || p === 'Finalising' || p === 'Succeeded'
      ? `the bad revision was promoted (phase ${p}, error rate ${ctx.opts.reactionErrorRate})`
      : undefined;
  };
  const patchedAt = Date.now();
  await newRevision(ctx.admin, m, `bad-${i}`, ctx.opts.reactionErrorRate);
  const detectedAt = await tracker.until(
    `${m.key} Progressing`,
    () => phase() === 'Progressing',
    timeoutMs,
    () => (phase() === 'Failed' ? 'it Failed before it was seen Progressing' : promoted()),
  );
  await tracker.until(`${m.key} Failed`, () => phase() === 'Failed', timeoutMs, promoted);
  const failed = tracker.status(m.key)?.lastAnalysis?.find((r) => r.result === 'Failed');
  if (failed === undefined) {
    throw new BenchError(BENCH_ERROR_CODES.UNSUPPORTED, `${m.key} failed without a failed check`);
  }
  // The split's return to 0 % canary after the run started (the first step sent weight).
  const back = (): number | undefined => {
    const last = tracker.weights(m.key).at(-1);
    return last !== undefined && last.canaryWeight === 0 && last.at >= detectedAt
      ? last.at
      : undefined;
  };
  await tracker.until(`${m.key} split at 100 % primary`, () => back() !== undefined, timeoutMs);
  const rolledBackAt = back() ?? Date.now();
  const firstTraffic =
    tracker.weights(m.key).find((w) => w.at >= detectedAt && w.canaryWeight > 0)?.at ?? detectedAt;
  if (!failFast) await setFailFast(ctx, m, true);
  return {
    detectionMs: detectedAt - patchedAt,
    rollbackMs: rolledBackAt - Date.parse(failed.at),
    patchToRollbackMs: rolledBackAt - patchedAt,
    badToPrimaryMs: rolledBackAt - firstTraffic,
    failFast,
  };
}

export async function runReaction(ctx: BenchContext): Promise<ReactionResult> {
  const picked = sample(ctx.members, ctx.opts.reactionSamples);
  // Reaction is measured on a quiet fleet: whatever the previous scenario left queued (scale-
  // downs, bookkeeping writes) drains first.
  const settledSeconds = await waitQuiet(ctx, 'reaction');
  ctx.log(`reaction: ${picked.length} bad revisions, one every 250 ms`);
  const runs = picked.map(async (m, i) => {
    await sleep(i * 250);
    return react(ctx, m, i);
  });
  const timings = await Promise.all(runs);
  return {
    samples: timings.length,
    settledSeconds,
    detection: distribution(timings.map((t) => t.detectionMs)),
    rollback: distribution(timings.map((t) => t.rollbackMs)),
    patchToRollback: distribution(timings.map((t) => t.patchToRollbackMs)),
    badToPrimary: {
      failFast: distribution(timings.filter((t) => t.failFast).map((t) => t.badToPrimaryMs)),
      intervalOnly: distribution(timings.filter((t) => !t.failFast).map((t) => t.badToPrimaryMs)),
    },
  };
}

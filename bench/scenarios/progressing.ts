// Progressing: a new healthy revision for every canary at once. How close to the ideal
// (steps x max(interval, window)) does the whole fleet finish, and what does each step cost?
import { countRequests } from '../audit-log.js';
import type { BenchContext } from '../context.js';
import { BENCH_ERROR_CODES, BenchError } from '../errors.js';
import { mapLimit, newRevision, stepSeconds } from '../fleet.js';
import { promqlQueryCount, reconcileCounters, sumCounters } from '../prometheus-counters.js';
import { WorldCpu } from '../world-cpu.js';
import { UsageWindow, livePids, round, type WindowUsage } from '../proc-stats.js';
import { distribution, sleep, type Distribution } from '../stats.js';

export interface ProgressingResult extends WindowUsage {
  readonly canaries: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: boolean;
  /** steps x max(interval, window): the analysis time alone, without scale-up and promotion. */
  readonly idealSeconds: number;
  /** From the first new revision sent to the last canary Succeeded (or to the deadline). */
  readonly wallSeconds: number;
  readonly wallOverIdeal: number;
  /** Sending all N template patches. */
  readonly releaseSeconds: number;
  /** Per canary: its patch to its Succeeded. */
  readonly perCanary: Distribution;
  readonly apiRequests: number;
  readonly apiWrites: number;
  /** Every request (reads, watches, writes) per canary and step. */
  readonly requestsPerCanaryStep: number;
  readonly writesPerCanary: number;
  readonly writesPerCanaryStep: number;
  readonly splitPatchesPerCanaryStep: number;
  readonly statusPatchesPerCanaryStep: number;
  /** Writes per canary-step by what they wrote (WRITE_KINDS), any verb. */
  readonly writesPerCanaryStepByKind: Readonly<Record<WriteKind, number>>;
  readonly writesByCall: Readonly<Record<string, number>>;
  readonly promqlQueries: number;
  readonly promqlQueriesPerInterval: number;
  readonly promqlQueriesPerCanaryStep: number;
  /**
   * From weightlifter's /metrics, read at both ends of the run (null for a peer): reconciles run,
   * their mean duration; and the deepest work queue seen, sampled every QUEUE_SAMPLE_MS.
   */
  readonly reconciles: number | null;
  readonly meanReconcileMs: number | null;
  readonly maxQueueDepth: number | null;
  /** CPU seconds of the other processes in the window. */
  readonly worldCpuSeconds: Readonly<Record<string, number>>;
}

/** The kinds of write the table shows, by resource[/subresource]; the rest is `other`. */
const KIND_OF: Readonly<Record<string, WriteKind>> = {
  'canaries/status': 'status',
  events: 'events',
  trafficsplits: 'split',
  httproutes: 'split',
  deployments: 'deployments',
};
export const WRITE_KINDS = ['status', 'events', 'split', 'deployments', 'other'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** Per canary-step, by kind, from `verb resource` counts (writes only). */
export function writesByKind(
  writesByCall: Readonly<Record<string, number>>,
  canarySteps: number,
): Record<WriteKind, number> {
  const sums: Record<WriteKind, number> = {
    status: 0,
    events: 0,
    split: 0,
    deployments: 0,
    other: 0,
  };
  for (const [call, count] of Object.entries(writesByCall)) {
    const resource = call.slice(call.indexOf(' ') + 1);
    sums[KIND_OF[resource] ?? 'other'] += count;
  }
  const per = (k: WriteKind): number => round(sums[k] / canarySteps, 2);
  return Object.fromEntries(WRITE_KINDS.map((k) => [k, per(k)])) as Record<WriteKind, number>;
}

/**
 * How often the queue depth is read from the controller's /metrics during the run. Every scrape
 * makes the controller render its whole registry; at 0.5 s that was 16 % of what it allocated
 * during a rollout (docs/benchmarks.md, "Measuring without disturbing").
 */
export const QUEUE_SAMPLE_MS = 10_000;

const hasRevision = (s: { revision?: string } | undefined, old: string | undefined): boolean =>
  s?.revision !== undefined && s.revision !== old;

export async function runProgressing(ctx: BenchContext): Promise<ProgressingResult> {
  const { opts, members, tracker } = ctx;
  const n = members.length;
  // A step lasts a full metric window at its weight, and at least one interval.
  const idealSeconds = opts.steps * stepSeconds(opts);
  const deadlineMs = (120 + 10 * idealSeconds + n * 0.5) * 1000;
  ctx.log(`progressing: ${n} new revisions at once (ideal ${idealSeconds} s)`);
  const old = new Map(members.map((m) => [m.key, tracker.status(m.key)?.revision]));
  const patchedAt = new Map<string, number>();
  const done = new Map<string, { at: number; ok: boolean }>();
  const unsubscribe = tracker.onCanary((key, s, at) => {
    if (done.has(key) || !old.has(key) || !hasRevision(s, old.get(key))) return;
    if (s.phase === 'Succeeded') done.set(key, { at, ok: true });
    if (s.phase === 'Failed') done.set(key, { at, ok: false });
  });
  const usage = new UsageWindow(livePids(ctx.controllers));
  await usage.start();
  const world = new WorldCpu(ctx.worldPids);
  await world.start();
  const queriesBefore = await promqlQueryCount(ctx.prometheusUrl);
  const healthUrls = ctx.controllers.map((c) => c.healthUrl).filter((u) => u !== '');
  const counters =
    healthUrls.length === 0
      ? undefined
      : async () => sumCounters(await Promise.all(healthUrls.map(reconcileCounters)));
  const reconcilesBefore = await counters?.();
  let maxQueueDepth = 0;
  let lastSample = Date.now();
  const t0 = Date.now();
  await mapLimit(members, opts.createConcurrency, async (m) => {
    patchedAt.set(m.key, Date.now());
    await newRevision(ctx.admin, m, 'progressing');
  });
  const releaseSeconds = (Date.now() - t0) / 1000;
  let lastReport = Date.now();
  while (done.size < n && Date.now() - t0 < deadlineMs) {
    if (ctx.controllers.some((c) => c.pid === undefined)) {
      throw new BenchError(BENCH_ERROR_CODES.CONTROLLER_GONE, 'the controller exited');
    }
    if (counters !== undefined && Date.now() - lastSample >= QUEUE_SAMPLE_MS) {
      maxQueueDepth = Math.max(maxQueueDepth, (await counters()).queueDepth);
      lastSample = Date.now();
    }
    if (Date.now() - lastReport > 10_000) {
      ctx.log(
        `progressing: ${done.size}/${n} finished after ${Math.round((Date.now() - t0) / 1000)} s`,
      );
      lastReport = Date.now();
    }
    await sleep(500);
  }
  unsubscribe();
  const timedOut = done.size < n;
  const tEnd = timedOut ? Date.now() : Math.max(...[...done.values()].map((d) => d.at));
  const used = await usage.stop();
  const worldCpuSeconds = await world.stop();
  const queries = (await promqlQueryCount(ctx.prometheusUrl)) - queriesBefore;
  const reconcilesAfter = await counters?.();
  const reconciles =
    reconcilesAfter === undefined || reconcilesBefore === undefined
      ? null
      : reconcilesAfter.reconciles - reconcilesBefore.reconciles;
  const reconcileSeconds =
    reconcilesAfter === undefined || reconcilesBefore === undefined
      ? 0
      : reconcilesAfter.reconcileSeconds - reconcilesBefore.reconcileSeconds;
  const audit = await countRequests(ctx.auditLog, ctx.controllerUser, t0, tEnd + 1);
  const wallSeconds = (tEnd - t0) / 1000;
  const canarySteps = n * opts.steps;
  const writesByCall = Object.fromEntries(
    Object.entries(audit.byCall).filter(([call]) => /^(create|update|patch|delete) /.test(call)),
  );
  const perStep = (call: string): number => round((audit.byCall[call] ?? 0) / canarySteps, 2);
  const okDurations = [...done.entries()]
    .filter(([, d]) => d.ok)
    .map(([key, d]) => d.at - (patchedAt.get(key) ?? t0));
  return {
    canaries: n,
    succeeded: [...done.values()].filter((d) => d.ok).length,
    failed: [...done.values()].filter((d) => !d.ok).length,
    timedOut,
    idealSeconds,
    wallSeconds: round(wallSeconds, 1),
    wallOverIdeal: round(wallSeconds / idealSeconds, 2),
    releaseSeconds: round(releaseSeconds, 1),
    perCanary: distribution(okDurations),
    apiRequests: audit.requests,
    apiWrites: audit.writes,
    requestsPerCanaryStep: round(audit.requests / canarySteps, 2),
    writesPerCanary: round(audit.writes / n, 2),
    writesPerCanaryStep: round(audit.writes / canarySteps, 2),
    splitPatchesPerCanaryStep: perStep(
      opts.router === 'smi' ? 'patch trafficsplits' : 'patch httproutes',
    ),
    statusPatchesPerCanaryStep: perStep('patch canaries/status'),
    writesPerCanaryStepByKind: writesByKind(writesByCall, canarySteps),
    writesByCall,
    promqlQueries: queries,
    promqlQueriesPerInterval: round(queries / (wallSeconds / opts.intervalSeconds), 2),
    promqlQueriesPerCanaryStep: round(queries / canarySteps, 3),
    reconciles,
    meanReconcileMs:
      reconciles === null ? null : round((reconcileSeconds / Math.max(1, reconciles)) * 1000, 1),
    maxQueueDepth:
      reconciles === null ? null : Math.max(maxQueueDepth, reconcilesAfter?.queueDepth ?? 0),
    worldCpuSeconds,
    ...used,
  };
}

// "Idle" means the controller has gone quiet, not merely that every Canary shows Initialized:
// after a burst it still has bookkeeping to write (e.g. recording the target scaled down), and at
// N = 1000 with the default concurrency that takes minutes. The wait itself is reported. Its
// requests are counted where the API server logged them (the audit log), not by scraping the
// controller's /metrics every second, which would make it allocate for the bench.
import type { BenchContext } from './context.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { AuditTail } from './audit-log.js';
import { sleep } from './stats.js';

/**
 * Waits until the controller sent no API request (a peer: no write but Events, ctx.quietOn) for
 * settleSeconds; returns seconds waited.
 */
export async function waitQuiet(ctx: BenchContext, what: string): Promise<number> {
  const quietMs = Math.max(ctx.opts.settleSeconds, 1) * 1000;
  const maxMs =
    ctx.opts.quietTimeoutSeconds === undefined
      ? 600_000 + ctx.members.length * 300
      : ctx.opts.quietTimeoutSeconds * 1000;
  const started = Date.now();
  const tail = new AuditTail(ctx.auditLog, ctx.controllerUser, ctx.quietOn);
  let last = await tail.count();
  let quietSince = Date.now();
  let lastReport = started;
  while (Date.now() - quietSince < quietMs) {
    if (Date.now() - started > maxMs) {
      throw new BenchError(
        BENCH_ERROR_CODES.TIMEOUT,
        `${what}: the controller never went quiet for ${quietMs / 1000} s within ${maxMs / 1000} s (${last} ${ctx.quietOn} so far)`,
      );
    }
    await sleep(1000);
    const now = await tail.count();
    if (now !== last) quietSince = Date.now();
    last = now;
    if (Date.now() - lastReport > 15_000) {
      ctx.log(`${what}: waiting for the controller to go quiet (${last} ${ctx.quietOn} so far)`);
      lastReport = Date.now();
    }
  }
  return Math.round((Date.now() - started) / 100) / 10;
}

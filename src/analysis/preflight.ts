// Pre-flight (issue 12 item 6): before a run moves any traffic, every check of the Canary is tried
// the way its first measurement would be, and every webhook URL is checked. The engine asks only
// at run start (and while a run waits on pre-flight), when every other start gate is open, so a
// Canary waiting for a schedule window or a run slot costs no query. The controller runs it from
// the caches (runPreflight); `weightlifter validate` runs the same checks (preflightReport) with
// its own lookups.
import type { Logger } from 'pino';
import type { Canary, Metric } from '../api/canary.js';
import type { UrlPolicy } from '../outbound/url-policy.js';
import type { PreflightOutcome } from './preflight-problems.js';
import type { MetricSourceFactory } from '../metrics/factory.js';
import { preflightMetric, type MetricPreflightDeps } from './preflight-metrics.js';
import {
  PREFLIGHT_REASONS,
  type PreflightReason,
  type PreflightFinding,
  type PreflightNote,
  type PreflightReport,
} from './preflight-problems.js';
import { PreflightRun } from './preflight-run.js';
import { chooseScrapeInterval } from './preflight-window.js';
import { resolveTemplate, type TemplateReaders } from './template-refs.js';

export interface PreflightDeps extends MetricPreflightDeps {
  readonly metricSources: Pick<
    MetricSourceFactory,
    'prometheusQuery' | 'checkAddress' | 'preflightAccess'
  >;
  readonly urlPolicy: UrlPolicy;
}

export interface PreflightOptions {
  /** Run queries and read scrape intervals. @default true */
  readonly network?: boolean;
  readonly signal?: AbortSignal;
}

const HTTP = new Set(['http:', 'https:']);

/** Why a webhook URL cannot be called, or undefined: it is absolute http(s) and allowed. */
async function webhookUrlProblem(
  url: string,
  policy: UrlPolicy,
): Promise<{ reason: PreflightReason; message: string } | undefined> {
  if (!URL.canParse(url) || !HTTP.has(new URL(url).protocol)) {
    const message = `"${url}" is not an absolute http or https URL`;
    return { reason: PREFLIGHT_REASONS.webhookUrlInvalid, message };
  }
  const verdict = await policy.check(url);
  if (verdict.allowed) return undefined;
  const message = `${url} not allowed by the address policy: ${verdict.reason}`;
  return { reason: PREFLIGHT_REASONS.webhookAddressNotAllowed, message };
}

async function webhookFindings(canary: Canary, policy: UrlPolicy): Promise<PreflightFinding[]> {
  const hooks = canary.spec.analysis?.webhooks ?? [];
  const found = await Promise.all(hooks.map((h) => webhookUrlProblem(h.url, policy)));
  return hooks.flatMap((hook, i) => {
    const problem = found[i];
    if (problem === undefined) return [];
    const field = `spec.analysis.webhooks[${i}].url`;
    return [{ check: hook.name, field, ...problem }];
  });
}

/** Everything that would stop a check or webhook of `canary` from being evaluated. */
export async function preflightReport(
  deps: PreflightDeps,
  canary: Canary,
  opts: PreflightOptions = {},
): Promise<PreflightReport> {
  const run =
    opts.network === false
      ? undefined
      : new PreflightRun(deps.metricSources.preflightAccess(), opts.signal);
  const metrics = canary.spec.analysis?.metrics ?? [];
  const [verdicts, hooks] = await Promise.all([
    Promise.all(
      metrics.map((m, i) => preflightMetric(deps, canary, m, `spec.analysis.metrics[${i}]`, run)),
    ),
    webhookFindings(canary, deps.urlPolicy),
  ]);
  const problems: PreflightFinding[] = [];
  const notes: PreflightNote[] = [];
  verdicts.forEach((list, i) => {
    const metric = metrics[i];
    if (metric === undefined) return;
    for (const v of list) {
      if ('note' in v) {
        notes.push({ check: metric.name, field: `spec.analysis.metrics[${i}]`, message: v.note });
      } else problems.push({ check: metric.name, ...v });
    }
  });
  const report = { problems: [...problems, ...hooks], notes };
  const scrapes = (await run?.scrapeIntervalsRead()) ?? [];
  if (scrapes.length === 0) return report;
  // The slowest job of each server (chooseScrapeInterval without the jobs a query reads).
  return { ...report, scrapeMs: Math.max(...scrapes.map((i) => chooseScrapeInterval(i, []).ms)) };
}

/** The controller's pre-flight: templates and their secrets from the caches. */
export async function runPreflight(
  deps: {
    readonly caches: TemplateReaders;
    readonly metricSources: PreflightDeps['metricSources'];
    readonly urlPolicy: UrlPolicy;
    readonly controllerNamespace: string;
  },
  canary: Canary,
  logger: Logger,
  signal?: AbortSignal,
): Promise<PreflightOutcome> {
  const namespace = canary.metadata.namespace ?? '';
  const report = await preflightReport(
    {
      metricSources: deps.metricSources,
      urlPolicy: deps.urlPolicy,
      template: (metric: Metric) =>
        Promise.resolve(resolveTemplate(deps.caches, namespace, deps.controllerNamespace, metric)),
    },
    canary,
    signal === undefined ? {} : { signal },
  );
  // What could not be checked is said, never counted as a problem.
  for (const note of report.notes) logger.info({ check: note.check }, note.message);
  if (report.problems.length > 0) {
    logger.info(
      { problems: report.problems.map((p) => ({ check: p.check, reason: p.reason })) },
      'pre-flight found problems',
    );
  }
  const problems = report.problems.map(({ check, reason, message }) => ({
    check,
    reason,
    message,
  }));
  return report.scrapeMs === undefined ? { problems } : { problems, scrapeMs: report.scrapeMs };
}

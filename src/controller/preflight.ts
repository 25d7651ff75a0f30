// Pre-flight (issue 12 item 6): before a run moves any traffic, every check of the Canary is tried
// the way its first measurement would be, and every webhook URL is checked. The engine asks only
// at run start (and while a run waits on pre-flight), when every other start gate is open, so a
// Canary waiting for a schedule window or a run slot costs no query. The controller runs it from
// the caches (runPreflight); `weightlifter validate` runs the same checks (preflightReport) with
// its own lookups.
import type { Logger } from 'pino';
import type { Canary, Metric } from '../api/canary.js';
import type { UrlPolicy } from '../hooks/url-policy.js';
import type { PreflightOutcome } from '../machine/types.js';
import type { MetricSourceFactory } from '../metrics/factory.js';
import type { ActorDeps } from './actors.js';
import { preflightMetric, type MetricPreflightDeps } from './preflight-metrics.js';
import {
  PREFLIGHT_REASONS,
  type PreflightFinding,
  type PreflightNote,
  type PreflightReport,
} from './preflight-problems.js';
import { PreflightRun } from './preflight-run.js';
import { resolveTemplate } from './templates.js';

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

/** Every webhook's URL parses as http(s) and is allowed by the operator's address policy. */
async function webhookFindings(canary: Canary, policy: UrlPolicy): Promise<PreflightFinding[]> {
  const hooks = canary.spec.analysis?.webhooks ?? [];
  const verdicts = await Promise.all(hooks.map((h) => policy.check(h.url)));
  return hooks.flatMap((hook, i) => {
    const verdict = verdicts[i];
    if (verdict === undefined || verdict.allowed) return [];
    return [
      {
        check: hook.name,
        reason: PREFLIGHT_REASONS.webhookUrlInvalid,
        field: `spec.analysis.webhooks[${i}].url`,
        message: `URL ${hook.url} cannot be called: ${verdict.reason}`,
      },
    ];
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
  verdicts.forEach((v, i) => {
    const metric = metrics[i];
    if (v === undefined || metric === undefined) return;
    if ('note' in v)
      notes.push({ check: metric.name, field: `spec.analysis.metrics[${i}]`, message: v.note });
    else problems.push({ check: metric.name, ...v });
  });
  return { problems: [...problems, ...hooks], notes };
}

/** The controller's pre-flight: templates and their secrets from the caches. */
export async function runPreflight(
  deps: Pick<ActorDeps, 'caches' | 'metricSources' | 'urlPolicy' | 'controllerNamespace'>,
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
  for (const note of report.notes) logger.debug({ check: note.check }, note.message);
  if (report.problems.length > 0) {
    logger.info(
      { problems: report.problems.map((p) => ({ check: p.check, reason: p.reason })) },
      'pre-flight found problems',
    );
  }
  return {
    problems: report.problems.map(({ check, reason, message }) => ({ check, reason, message })),
  };
}

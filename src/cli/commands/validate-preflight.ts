// The controller's pre-flight (src/analysis/preflight.ts) run by `validate`: the same checks, with
// templates looked up in the file and the cluster. Queries run only against the server named by
// --prometheus-url (the controller's); without it, what needs no metrics server is still checked.
// A server `validate` cannot reach is a note, not a problem: the laptop running `validate` often
// cannot see an in-cluster Prometheus the controller reaches fine.
import { pino } from 'pino';
import type { Canary, Metric } from '../../api/canary.js';
import { STORED_DEFAULTS } from '../../api/defaults.js';
import { preflightReport } from '../../analysis/preflight.js';
import { PREFLIGHT_REASONS } from '../../analysis/preflight-problems.js';
import type { UrlPolicy } from '../../outbound/url-policy.js';
import type { GateHookType } from '../../machine/types.js';
import type { KubeConfig } from '../../kube/kubeconfig.js';
import type { QueryExecutor } from '../../metrics/executor.js';
import {
  MetricSourceFactory,
  type ResolvedTemplate,
  type TrafficMetricsSetting,
} from '../../metrics/factory.js';
import { kubeGetTransport } from '../../metrics/kube-transport.js';
import type { MeshName } from '../../metrics/mesh-queries.js';
import { PrometheusQueryExecutor } from '../../metrics/prometheus-executor.js';
import type { ControllerLookups } from './validate-controller.js';

/** The controller settings that decide how its checks are measured. */
export interface MetricsSettings {
  /** The controller's --prometheus-url; absent: no query is run. */
  readonly prometheusUrl?: string;
  readonly mesh: MeshName;
  readonly trafficMetrics: TrafficMetricsSetting;
}

/** Where pre-flight sends queries, or undefined for the checks that need no metrics server. */
export interface ValidateMetrics {
  readonly sources: MetricSourceFactory;
  readonly network: boolean;
}

const silent = pino({ level: 'silent' });

const NOT_ASKED: QueryExecutor = {
  instant: () => Promise.reject(new Error('validate: no --prometheus-url, no query is sent')),
};

/** Only prometheusQuery/checkAddress are used: no address is ever dialled. */
export function offlineMetrics(policy: UrlPolicy): ValidateMetrics {
  const config = {
    prometheusAddress: '',
    trafficMetrics: 'computed',
    addressPolicy: policy,
  } as const;
  return {
    sources: new MetricSourceFactory({ config, executor: NOT_ASKED, logger: silent }),
    network: false,
  };
}

export function validateMetrics(
  settings: MetricsSettings,
  policy: UrlPolicy,
  kc: KubeConfig,
): ValidateMetrics {
  const url = settings.prometheusUrl;
  if (url === undefined) return offlineMetrics(policy);
  const { mesh, trafficMetrics } = settings;
  const sources = new MetricSourceFactory({
    config: { prometheusAddress: url, mesh, trafficMetrics, addressPolicy: policy },
    executor: new PrometheusQueryExecutor({ logger: silent }),
    logger: silent,
    ...(trafficMetrics === 'computed' ? {} : { kube: kubeGetTransport(kc) }),
  });
  return { sources, network: true };
}

type Found = { readonly field: string; readonly message: string };

/** Problems pre-flight finds in `canary`, and what it could not check (notes). */
export async function canaryPreflight(
  canary: Canary,
  look: ControllerLookups,
): Promise<{ problems: Found[]; notes: string[]; warnings: string[] }> {
  const namespace = canary.metadata.namespace ?? 'default';
  const metrics = look.metrics ?? offlineMetrics(look.policy);
  const template = async (metric: Metric): Promise<ResolvedTemplate | undefined> => {
    const ref = metric.templateRef;
    if (ref === undefined) return undefined;
    const kind = ref.kind ?? STORED_DEFAULTS.templateRef.kind;
    const spec = await look.template(kind, namespace, ref.name);
    if (spec === null) return undefined;
    return { kind, name: ref.name, ...(kind === 'AnalysisTemplate' ? { namespace } : {}), spec };
  };
  const report = await preflightReport(
    {
      metricSources: metrics.sources,
      urlPolicy: look.policy,
      template,
      unqueryable: (t) =>
        t.spec.provider?.secretRef === undefined
          ? undefined
          : `not queried: ${t.kind} ${t.name} takes credentials from Secret ${t.spec.provider.secretRef.name}, which only the controller reads`,
    },
    canary,
    { network: metrics.network },
  );
  const problems: Found[] = [];
  const notes = report.notes.map((n) => `${n.field}: ${n.message}`);
  for (const p of report.problems) {
    if (p.reason === PREFLIGHT_REASONS.metricsUnavailable) {
      notes.push(`${p.field}: not checked (${p.check}): ${p.message}`);
    } else {
      problems.push({ field: p.field, message: p.message });
    }
  }
  const blind = blindWarning(canary);
  return { problems, notes, warnings: blind === undefined ? [] : [blind] };
}

/** Webhook types whose answer changes the engine's decision (src/machine/types.ts). */
const GATE_HOOKS = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'rollback',
] as const satisfies readonly GateHookType[];

/**
 * A Canary with no metric checks and no gate webhooks passes every step without evidence: each
 * weight is held one interval and then advanced, whatever the canary does.
 */
export function blindWarning(canary: Canary): string | undefined {
  const spec = canary.spec as Partial<Canary['spec']>;
  if (spec.skipAnalysis === true) return undefined;
  const analysis = spec.analysis ?? {};
  if ((analysis.metrics ?? []).length > 0) return undefined;
  const gates = (analysis.webhooks ?? []).filter((h) =>
    (GATE_HOOKS as readonly string[]).includes(h.type ?? STORED_DEFAULTS.webhook.type),
  );
  if (gates.length > 0) return undefined;
  return 'promotes blind: no metrics and no gate webhooks (rollout, pre-rollout, confirm-*, rollback), so every step passes without evidence';
}

// What only the controller checks, run ahead of time: the target Deployment exists (in the cluster
// or in the same file), durations parse, the step strategy and the deployment windows compile,
// the routing provider (validate-routing.ts), and the controller's pre-flight (validate-preflight.ts): templates exist, queries render (and
// run, with --prometheus-url), webhook / metrics addresses pass the operator's address policy.
// Each finding names the field it is about.
import type { Canary } from '../../api/canary.js';
import type { AnalysisTemplateSpec } from '../../api/analysis-template.js';
import { renderQuery } from '../../metrics/query-template.js';
import type { UrlPolicy } from '../../outbound/url-policy.js';
import { parseDuration } from '../../time/duration.js';
import { progressionOf, strategyFrom } from '../../progression/strategy.js';
import { compileSchedule } from '../../progression/windows.js';
import type { RoutingProvider } from '../../api/constants.js';
import type { ServedRoutingApis } from './route-lookup.js';
import { canaryPreflight, type ValidateMetrics } from './validate-preflight.js';
import { routingFindings } from './validate-routing.js';
import type { DocRef, Note, Problem } from './validate-types.js';

export interface ControllerLookups {
  /** True when the Deployment exists in the cluster or is defined in the file. */
  deploymentExists(namespace: string, name: string): Promise<boolean>;
  /** The template's spec, or null when it exists nowhere. */
  template(
    kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
    namespace: string,
    name: string,
  ): Promise<AnalysisTemplateSpec | null>;
  readonly policy: UrlPolicy;
  /** Where pre-flight sends queries. @default offline: nothing is queried */
  readonly metrics?: ValidateMetrics;
  /**
   * The controller's --routing-provider and the cluster's API discovery.
   * @default auto, and no discovery: only parentRefs under smi are checked
   */
  readonly routing?: {
    readonly clusterDefault: RoutingProvider;
    served(): Promise<ServedRoutingApis>;
  };
}

type Found = Omit<Problem, 'doc' | 'source'>;

function durationProblems(canary: Canary): Found[] {
  const out: Found[] = [];
  const a = canary.spec.analysis ?? {};
  const check = (field: string, text: string | undefined, minMs: number, what: string): void => {
    if (text === undefined) return;
    const ms = parseDuration(text);
    if (ms === null)
      out.push({ field, message: `"${text}" is not a duration (e.g. 30s, 1m30s, 500ms)` });
    else if (ms < minMs) out.push({ field, message: `"${text}" is shorter than ${what}` });
  };
  check('spec.analysis.interval', a.interval, 1_000, 'the minimum of 1s');
  (a.metrics ?? []).forEach((m, i) => {
    check(`spec.analysis.metrics[${i}].interval`, m.interval, 1_000, 'the minimum of 1s');
  });
  (a.webhooks ?? []).forEach((w, i) => {
    check(`spec.analysis.webhooks[${i}].timeout`, w.timeout, 1, '1ms');
  });
  return out;
}

function strategyProblems(canary: Canary): Found[] {
  const a = canary.spec.analysis ?? {};
  const strategy = strategyFrom(progressionOf(a));
  const out: Found[] = strategy.ok
    ? []
    : [{ field: 'spec.analysis', message: strategy.error.message }];
  if (canary.spec.schedule !== undefined) {
    const schedule = compileSchedule(canary.spec.schedule);
    if (!schedule.ok) {
      // Messages start with the schedule field they are about (schedule.allow[0] "...").
      const field =
        /^(schedule\.[A-Za-z]+(?:\[\d+\])?)/.exec(schedule.error.message)?.[1] ?? 'schedule';
      out.push({ field: `spec.${field}`, message: schedule.error.message });
    }
  }
  return out;
}

async function addressProblem(policy: UrlPolicy, field: string, url: string): Promise<Found[]> {
  const verdict = await policy.check(url);
  return verdict.allowed
    ? []
    : [{ field, message: `not allowed by the address policy: ${verdict.reason}` }];
}

export async function canaryProblems(
  doc: DocRef,
  canary: Canary,
  look: ControllerLookups,
): Promise<{ problems: Problem[]; notes: Note[] }> {
  const found: Found[] = [];
  // Untrusted YAML: the spec or its targetRef may be missing (the dry run reports that).
  const spec = canary.spec as Partial<Canary['spec']> | undefined;
  if (spec?.targetRef?.name === undefined) return { problems: [], notes: [] };
  const ns = canary.metadata.namespace ?? 'default';
  if (!(await look.deploymentExists(ns, spec.targetRef.name))) {
    found.push({
      field: 'spec.targetRef.name',
      message: `Deployment ${ns}/${spec.targetRef.name} not found (in the cluster or in this file)`,
    });
  }
  found.push(...durationProblems(canary), ...strategyProblems(canary));
  const preflight = await canaryPreflight(canary, look);
  found.push(...preflight.problems);
  const routingLook = look.routing;
  const routing = await routingFindings(
    canary,
    routingLook?.clusterDefault ?? 'auto',
    routingLook === undefined ? undefined : () => routingLook.served(),
  );
  found.push(...routing.problems);
  return {
    problems: found.map((f) => ({ ...f, doc, source: 'controller' })),
    notes: [
      ...routing.notes.map((message) => ({ doc, message })),
      ...preflight.notes.map((message) => ({ doc, message })),
      ...[...routing.warnings, ...preflight.warnings].map((message) => ({
        doc,
        message,
        warning: true as const,
      })),
    ],
  };
}

/** An AnalysisTemplate's own checks: the query's placeholders and the provider address. */
export async function templateProblems(
  doc: DocRef,
  spec: AnalysisTemplateSpec,
  policy: UrlPolicy,
): Promise<Problem[]> {
  const found: Found[] = [];
  // Variables may come from each Canary's templateVariables, so any `variables.x` is accepted here.
  const names = [...spec.query.matchAll(/\{\{\s*variables\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map(
    (m) => m[1] ?? '',
  );
  const variables = Object.fromEntries(names.map((n) => [n, 'x']));
  const rendered = renderQuery(spec.query, {
    namespace: 'ns',
    target: 'target',
    interval: '1m',
    variables,
  });
  if (!rendered.ok) found.push({ field: 'spec.query', message: rendered.error.message });
  if (spec.provider?.address !== undefined)
    found.push(...(await addressProblem(policy, 'spec.provider.address', spec.provider.address)));
  return found.map((f) => ({ ...f, doc, source: 'controller' }));
}

// What only the controller checks, run ahead of time: the target Deployment and referenced
// templates exist (in the cluster or in the same file), durations parse, the step strategy and the
// deployment windows compile, queries render, and webhook / metrics addresses pass the operator's
// address policy. Each finding names the field it is about.
import type { Canary, Metric } from '../../api/canary.js';
import type { AnalysisTemplateSpec } from '../../api/analysis-template.js';
import { STORED_DEFAULTS } from '../../api/defaults.js';
import { renderQuery } from '../../analysis/template.js';
import type { UrlPolicy } from '../../hooks/url-policy.js';
import { parseDuration } from '../../machine/spec.js';
import { strategyFrom } from '../../progression/strategy.js';
import { compileSchedule } from '../../progression/windows.js';
import type { DocRef, Problem } from './validate-types.js';

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
  const strategy = strategyFrom({
    stepWeight: a.stepWeight,
    maxWeight: a.maxWeight,
    stepWeights: a.stepWeights,
    iterations: a.iterations,
  });
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

function renderProblems(
  canary: Canary,
  m: Metric,
  query: string,
  variables: Record<string, string>,
  field: string,
): Found[] {
  const rendered = renderQuery(query, {
    namespace: canary.metadata.namespace ?? 'default',
    target: canary.spec.targetRef.name,
    interval: m.interval ?? canary.spec.analysis?.interval ?? STORED_DEFAULTS.analysis.interval,
    variables,
  });
  return rendered.ok ? [] : [{ field, message: rendered.error.message }];
}

async function metricProblems(
  canary: Canary,
  m: Metric,
  i: number,
  look: ControllerLookups,
): Promise<Found[]> {
  const base = `spec.analysis.metrics[${i}]`;
  const ns = canary.metadata.namespace ?? 'default';
  if (m.prometheus !== undefined) {
    const out = renderProblems(
      canary,
      m,
      m.prometheus.query,
      m.templateVariables ?? {},
      `${base}.prometheus.query`,
    );
    if (m.prometheus.address !== undefined)
      out.push(
        ...(await addressProblem(look.policy, `${base}.prometheus.address`, m.prometheus.address)),
      );
    return out;
  }
  if (m.templateRef === undefined) return [];
  const kind = m.templateRef.kind ?? STORED_DEFAULTS.templateRef.kind;
  const template = await look.template(kind, ns, m.templateRef.name);
  if (template === null) {
    const where =
      kind === 'ClusterAnalysisTemplate' ? m.templateRef.name : `${ns}/${m.templateRef.name}`;
    return [{ field: `${base}.templateRef.name`, message: `${kind} ${where} not found` }];
  }
  const variables = { ...template.variables, ...m.templateVariables };
  const out = renderProblems(canary, m, template.query, variables, `${base}.templateVariables`);
  if (template.provider?.address !== undefined) {
    const found = await addressProblem(
      look.policy,
      `${base}.templateRef`,
      template.provider.address,
    );
    out.push(
      ...found.map((f) => ({
        ...f,
        message: `template address ${template.provider?.address ?? ''} ${f.message}`,
      })),
    );
  }
  return out;
}

export async function canaryProblems(
  doc: DocRef,
  canary: Canary,
  look: ControllerLookups,
): Promise<Problem[]> {
  const found: Found[] = [];
  // Untrusted YAML: the spec or its targetRef may be missing (the dry run reports that).
  const spec = canary.spec as Partial<Canary['spec']> | undefined;
  if (spec?.targetRef?.name === undefined) return [];
  const ns = canary.metadata.namespace ?? 'default';
  if (!(await look.deploymentExists(ns, spec.targetRef.name))) {
    found.push({
      field: 'spec.targetRef.name',
      message: `Deployment ${ns}/${spec.targetRef.name} not found (in the cluster or in this file)`,
    });
  }
  found.push(...durationProblems(canary), ...strategyProblems(canary));
  const metrics = spec.analysis?.metrics ?? [];
  for (const [i, m] of metrics.entries()) found.push(...(await metricProblems(canary, m, i, look)));
  for (const [i, w] of (spec.analysis?.webhooks ?? []).entries()) {
    found.push(...(await addressProblem(look.policy, `spec.analysis.webhooks[${i}].url`, w.url)));
  }
  return found.map((f) => ({ ...f, doc, source: 'controller' }));
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

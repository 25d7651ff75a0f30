// `weightlifter validate -f file.yaml`: everything that would go wrong applying the file, before
// applying it — the API server's verdict (schema, CEL, admission) from a server-side dry run, plus
// the controller's own checks — every problem with its field path. Exit 1 when there is any.
import { Command, Option } from 'commander';
import type { Canary } from '../../api/canary.js';
import type { AnalysisTemplateSpec } from '../../api/analysis-template.js';
import { API_VERSION, ROUTING_PROVIDERS, type RoutingProvider } from '../../api/constants.js';
import { ENV_NAMES } from '../../config/keys.js';
import { createUrlPolicy, type UrlPolicy } from '../../outbound/url-policy.js';
import { TRAFFIC_METRICS_SETTINGS, type TrafficMetricsSetting } from '../../metrics/factory.js';
import { MESHES, isMeshName } from '../../metrics/mesh-queries.js';
import { WeightlifterError } from '../../errors/catalogue.js';
import { renderReport, type ValidationReport } from '../render/problems.js';
import { renderStructured } from '../render/structured.js';
import { styleFor } from '../render/style.js';
import {
  clusterOptions,
  EXIT,
  namespaceOf,
  withClusterOptions,
  writeLines,
  type CliDeps,
} from './context.js';
import { reportFailure } from './failures.js';
import { canaryProblems, templateProblems } from './validate-controller.js';
import { validateMetrics, type MetricsSettings } from './validate-preflight.js';
import { parseDocuments } from './validate-documents.js';
import { dryRun, KindResolver } from './validate-dry-run.js';
import { clusterLookups } from './validate-lookups.js';
import { servedRoutingApis } from './route-lookup.js';
import type { KubeDoc, Note, Problem } from './validate-types.js';

export function validateCommand(deps: CliDeps): Command {
  const cmd = new Command('validate')
    .description(
      "check manifests against the cluster (server-side dry run) and the controller's own rules",
    )
    .requiredOption('-f, --filename <file>', 'YAML file with one or more documents ("-" for stdin)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'yaml'])
        .default('text'),
    )
    .option(
      '--allowed-hosts <hosts>',
      `the controller's --allowed-hosts, to check webhook and metrics addresses [env ${ENV_NAMES.allowedHosts}]`,
    )
    .option(
      '--allowed-cidrs <cidrs>',
      `the controller's --allowed-cidrs [env ${ENV_NAMES.allowedCidrs}]`,
    )
    .option(
      '--unblock-cidrs <cidrs>',
      `the controller's --unblock-cidrs [env ${ENV_NAMES.unblockCidrs}]`,
    )
    .option(
      '--prometheus-url <url>',
      `the controller's --prometheus-url: run each query once there and read its scrape interval [env ${ENV_NAMES.prometheusUrl}]`,
    )
    .addOption(
      new Option('--mesh <mesh>', `the controller's --mesh [env ${ENV_NAMES.mesh}]`).choices(
        MESHES,
      ),
    )
    .addOption(
      new Option(
        '--routing-provider <provider>',
        `the controller's --routing-provider, for Canaries without spec.routing.provider [env ${ENV_NAMES.routingProvider}]`,
      ).choices(ROUTING_PROVIDERS),
    )
    .addOption(
      new Option(
        '--traffic-metrics <mode>',
        `the controller's --traffic-metrics [env ${ENV_NAMES.trafficMetrics}]`,
      ).choices(TRAFFIC_METRICS_SETTINGS),
    )
    .addHelpText(
      'after',
      `
Nothing is created or changed: each document is sent as a server-side apply with dryRun=All.
Controller checks: the target Deployment and referenced (Cluster)AnalysisTemplates exist (in the
cluster or in the file), durations parse, the step strategy and schedule compile, queries render,
webhook and metrics URLs pass the address policy, and the routing provider: what \`auto\` (or the
--routing-provider default) picks from the routing APIs the cluster serves, as a note; parentRefs
need Gateway API. With --prometheus-url, also the controller's pre-flight: each query runs once
(an empty answer is fine), trafficMetrics are read the way the controller would, and each window
must hold 2 scrapes of the server's scrape interval; a server that cannot be reached from here is
a note. A Canary without metrics or gate webhooks gets a
warning: it promotes blind.`,
    );
  withClusterOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    try {
      await runValidate(deps, opts);
    } catch (err) {
      reportFailure(deps, err);
    }
  });
  return cmd;
}

const list = (v: unknown): string[] =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];

function policyFrom(deps: CliDeps, opts: Record<string, unknown>): UrlPolicy {
  return createUrlPolicy({
    allowedHosts: list(opts['allowedHosts'] ?? deps.env[ENV_NAMES.allowedHosts]),
    allowedCidrs: list(opts['allowedCidrs'] ?? deps.env[ENV_NAMES.allowedCidrs]),
    unblockedCidrs: list(opts['unblockCidrs'] ?? deps.env[ENV_NAMES.unblockCidrs]),
  });
}

/** `f` called at most once; every caller gets its promise (one discovery for a whole file). */
function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

const related = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** A controller finding about a field the API server already rejected adds nothing. */
export function withoutEchoes(problems: readonly Problem[]): Problem[] {
  return problems.filter(
    (p) =>
      p.source !== 'controller' ||
      !problems.some(
        (q) => q.source === 'apiserver' && q.doc.index === p.doc.index && related(q.field, p.field),
      ),
  );
}

/** Fills metadata.namespace of namespaced documents, so lookups compare like with like. */
async function placed(doc: KubeDoc, namespace: string, kinds: KindResolver): Promise<KubeDoc> {
  if (doc.ref.namespace !== null || typeof doc.object.apiVersion !== 'string') return doc;
  const served = await kinds.resolve(doc.object.apiVersion, doc.ref.kind);
  if (served === null || served === undefined || !served.namespaced) return doc;
  const metadata = { ...(doc.object.metadata ?? {}), namespace };
  return { ref: { ...doc.ref, namespace }, object: { ...doc.object, metadata } };
}

function routingProviderOf(deps: CliDeps, opts: Record<string, unknown>): RoutingProvider {
  const flag = opts['routingProvider'];
  const v = typeof flag === 'string' ? flag : deps.env[ENV_NAMES.routingProvider];
  if (v === undefined || v === '') return 'auto';
  // The flag is checked by commander (choices); the environment is checked here.
  if (!(ROUTING_PROVIDERS as readonly unknown[]).includes(v)) {
    throw new WeightlifterError(
      'WL_CONFIG_INVALID',
      `${ENV_NAMES.routingProvider}: "${v}" is not one of ${ROUTING_PROVIDERS.join(', ')}`,
    );
  }
  return v as RoutingProvider;
}

function metricsSettings(deps: CliDeps, opts: Record<string, unknown>): MetricsSettings {
  const pick = (flag: string, env: string): string | undefined => {
    const v = opts[flag] ?? deps.env[env];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const url = pick('prometheusUrl', ENV_NAMES.prometheusUrl);
  const mesh = pick('mesh', ENV_NAMES.mesh) ?? 'linkerd';
  const mode = pick('trafficMetrics', ENV_NAMES.trafficMetrics) ?? 'auto';
  // Flags are checked by commander (choices); the environment is checked here.
  if (!isMeshName(mesh)) {
    const message = `${ENV_NAMES.mesh}: "${mesh}" is not one of ${MESHES.join(', ')}`;
    throw new WeightlifterError('WL_CONFIG_INVALID', message);
  }
  if (!(TRAFFIC_METRICS_SETTINGS as readonly string[]).includes(mode)) {
    throw new WeightlifterError(
      'WL_CONFIG_INVALID',
      `${ENV_NAMES.trafficMetrics}: "${mode}" is not one of ${TRAFFIC_METRICS_SETTINGS.join(', ')}`,
    );
  }
  return {
    mesh,
    trafficMetrics: mode as TrafficMetricsSetting,
    ...(url === undefined ? {} : { prometheusUrl: url }),
  };
}

async function runValidate(deps: CliDeps, opts: Record<string, unknown>): Promise<void> {
  const file = String(opts['filename']);
  const policy = policyFrom(deps, opts);
  const parsed = parseDocuments(await deps.readFile(file));
  const cluster = clusterOptions(opts);
  const clients = deps.connect(cluster);
  const namespace = namespaceOf(clients, cluster);
  const kinds = new KindResolver(clients.raw);
  const docs: KubeDoc[] = [];
  for (const d of parsed.docs) docs.push(await placed(d, namespace, kinds));
  const problems: Problem[] = [...parsed.problems];
  const notes: Note[] = [];
  const ctx = {
    raw: clients.raw,
    kinds,
    defaultNamespace: namespace,
    namespacesInFile: new Set(
      docs.filter((d) => d.ref.kind === 'Namespace').map((d) => d.ref.name),
    ),
  };
  const lookups = {
    ...clusterLookups(clients.raw, docs, policy),
    metrics: validateMetrics(metricsSettings(deps, opts), policy, clients.kc),
    routing: {
      clusterDefault: routingProviderOf(deps, opts),
      served: once(() => servedRoutingApis(clients.raw)),
    },
  };
  for (const doc of docs) {
    const server = await dryRun(doc, ctx);
    problems.push(...server.problems);
    notes.push(...server.notes);
    if (doc.object.apiVersion !== API_VERSION) continue;
    if (doc.ref.kind === 'Canary') {
      const found = await canaryProblems(doc.ref, doc.object as unknown as Canary, lookups);
      problems.push(...found.problems);
      notes.push(...found.notes);
    }
    if (
      doc.ref.kind.endsWith('AnalysisTemplate') &&
      typeof (doc.object['spec'] as { query?: unknown } | undefined)?.query === 'string'
    ) {
      problems.push(
        ...(await templateProblems(doc.ref, doc.object['spec'] as AnalysisTemplateSpec, policy)),
      );
    }
  }
  const documents = new Set([
    ...docs.map((d) => d.ref.index),
    ...parsed.problems.map((p) => p.doc.index),
  ]).size;
  const found = withoutEchoes(problems);
  const report: ValidationReport = { file, documents, problems: found, notes };
  const format = opts['output'];
  if (format === 'json' || format === 'yaml') deps.stdout.write(renderStructured(report, format));
  else writeLines(deps.stdout, renderReport(report, styleFor(deps.stdout, deps.env)));
  if (found.length > 0) deps.setExitCode(EXIT.failed);
}

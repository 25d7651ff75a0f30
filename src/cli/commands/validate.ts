// `weightlifter validate -f file.yaml`: everything that would go wrong applying the file, before
// applying it — the API server's verdict (schema, CEL, admission) from a server-side dry run, plus
// the controller's own checks — every problem with its field path. Exit 1 when there is any.
import { Command, Option } from 'commander';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { Canary } from '../../api/canary.js';
import type { AnalysisTemplateSpec } from '../../api/analysis-template.js';
import { API_VERSION } from '../../api/constants.js';
import { ENV_NAMES } from '../../config/keys.js';
import { createUrlPolicy, type UrlPolicy } from '../../hooks/url-policy.js';
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
import { parseDocuments } from './validate-documents.js';
import { dryRun, KindResolver } from './validate-dry-run.js';
import { clusterLookups } from './validate-lookups.js';
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
    .addHelpText(
      'after',
      `
Nothing is created or changed: each document is sent as a server-side apply with dryRun=All.
Controller checks: the target Deployment and referenced (Cluster)AnalysisTemplates exist (in the
cluster or in the file), durations parse, the step strategy and schedule compile, queries render,
webhook and metrics URLs pass the address policy.`,
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
  });
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
    objects: KubernetesObjectApi.makeApiClient(clients.kc),
    kinds,
    defaultNamespace: namespace,
    namespacesInFile: new Set(
      docs.filter((d) => d.ref.kind === 'Namespace').map((d) => d.ref.name),
    ),
  };
  const lookups = clusterLookups(clients.raw, docs, policy);
  for (const doc of docs) {
    const server = await dryRun(doc, ctx);
    problems.push(...server.problems);
    notes.push(...server.notes);
    if (doc.object.apiVersion !== API_VERSION) continue;
    if (doc.ref.kind === 'Canary')
      problems.push(...(await canaryProblems(doc.ref, doc.object as unknown as Canary, lookups)));
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

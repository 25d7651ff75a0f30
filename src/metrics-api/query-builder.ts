// PromQL for the server from a mesh's label map (server-queries.ts): one count query grouped by
// outcome and one latency query per quantile, selecting by one party and grouping by another.
// Like the client's computed source, latency uses rate() (irate, as smi-metrics had it, reads
// only the last two samples of the window) and counts use increase().
import { escapeString } from '../metrics/promql.js';
import type { ObjectReference } from '../metrics/traffic-metrics-api.js';
import type { Party } from './server-queries.js';
import { SERVED_RESOURCES, type ServedResource } from './routes.js';

export interface Selection {
  readonly namespace?: string;
  readonly name?: string;
}

const eq = (label: string, value: string): string => `${label}="${escapeString(value)}"`;

/** Matchers selecting `party` as `sel` (a missing name selects every named one). */
export function selectParty(party: Party, sel: Selection): string[] {
  const out = [...(party.matchers ?? [])];
  if (sel.namespace !== undefined) out.push(eq(party.namespaceLabel, sel.namespace));
  if (sel.name !== undefined) out.push(eq(party.nameLabel, sel.name));
  else out.push(`${party.nameLabel}!=""`);
  return [...new Set(out)];
}

/** The labels that tell objects of `party` apart in an answer. */
export function groupLabels(party: Party): string[] {
  const labels = [party.namespaceLabel, party.nameLabel];
  if (party.kindLabel !== undefined) labels.push(party.kindLabel);
  return [...new Set(labels)];
}

export function countsQuery(
  metric: string,
  matchers: readonly string[],
  group: readonly string[],
  outcomeLabel: string,
  window: string,
): string {
  return `sum by (${[...group, outcomeLabel].join(', ')}) (increase(${metric}{${matchers.join(', ')}}[${window}]))`;
}

export function latencyQuery(
  quantile: number,
  bucketMetric: string,
  matchers: readonly string[],
  group: readonly string[],
  window: string,
): string {
  return `histogram_quantile(${quantile}, sum by (${[...group, 'le'].join(', ')}) (rate(${bucketMetric}{${matchers.join(', ')}}[${window}])))`;
}

export type NamedReference = ObjectReference & { readonly name: string };

/** The object a series group names, or undefined when the series does not name one. */
export function identify(
  party: Party,
  resource: ServedResource,
  labels: Readonly<Record<string, string>>,
): NamedReference | undefined {
  const name = labels[party.nameLabel];
  if (name === undefined || name === '') return undefined;
  const labelledKind = party.kindLabel === undefined ? undefined : labels[party.kindLabel];
  const kind =
    labelledKind === undefined || labelledKind === '' ? SERVED_RESOURCES[resource] : labelledKind;
  if (resource === 'namespaces') return { kind, name };
  const namespace = labels[party.namespaceLabel];
  return namespace === undefined || namespace === '' ? { kind, name } : { kind, namespace, name };
}

// What the dashboard sends to the page: a Canary and its Events as plain data, with nothing in it
// that could carry a credential. Webhook URLs and metric addresses lose their user info, query and
// fragment (where tokens live); webhook metadata values are dropped (its keys are kept);
// annotations and managed fields are not sent at all.
import type { Canary, CanarySpec, Metric, Webhook } from '../api/canary.js';

export interface CanaryView {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly createdAt: string;
  readonly spec: CanarySpec;
  readonly status: NonNullable<Canary['status']>;
}

export interface EventView {
  readonly uid: string;
  readonly namespace: string;
  /** The Canary the Event is about. */
  readonly canary: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly at: string;
  readonly count: number;
}

/** An Event as the core v1 API serves it (the controller writes events.k8s.io/v1; same objects). */
export interface CoreEvent {
  metadata?: { uid?: string; namespace?: string; creationTimestamp?: string };
  involvedObject?: { name?: string; kind?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  eventTime?: string | null;
  lastTimestamp?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

/** `scheme://host[:port]/path`: no user info, query or fragment. Unparseable: a placeholder. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    // Not a URL at all; saying so is all the page needs.
    return '(not a URL)';
  }
}

function webhookView(w: Webhook): Webhook {
  const { metadata, url, ...rest } = w;
  const keys = Object.keys(metadata ?? {});
  return {
    ...rest,
    url: redactUrl(url),
    ...(keys.length === 0 ? {} : { metadata: Object.fromEntries(keys.map((k) => [k, '…'])) }),
  };
}

function metricView(m: Metric): Metric {
  if (m.prometheus?.address === undefined) return m;
  return { ...m, prometheus: { ...m.prometheus, address: redactUrl(m.prometheus.address) } };
}

export function canaryView(c: Canary): CanaryView {
  const analysis = c.spec.analysis;
  const spec: CanarySpec =
    analysis === undefined
      ? c.spec
      : {
          ...c.spec,
          analysis: {
            ...analysis,
            ...(analysis.webhooks === undefined
              ? {}
              : { webhooks: analysis.webhooks.map(webhookView) }),
            ...(analysis.metrics === undefined
              ? {}
              : { metrics: analysis.metrics.map(metricView) }),
          },
        };
  return {
    namespace: c.metadata.namespace ?? '',
    name: c.metadata.name ?? '',
    uid: c.metadata.uid ?? '',
    generation: c.metadata.generation ?? 0,
    createdAt: c.metadata.creationTimestamp ?? '',
    spec,
    status: c.status ?? {},
  };
}

export function eventView(e: CoreEvent): EventView {
  return {
    uid: e.metadata?.uid ?? '',
    namespace: e.metadata?.namespace ?? '',
    canary: e.involvedObject?.name ?? '',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    at:
      e.series?.lastObservedTime ??
      e.lastTimestamp ??
      e.eventTime ??
      e.metadata?.creationTimestamp ??
      '',
    count: e.series?.count ?? e.count ?? 1,
  };
}

// SMI objects weightlifter reads or writes (shapes from the SMI spec, see
// shared reference smi-spec.md). TrafficSplit has no status and its CRDs convert nothing, so the
// stored JSON is the same under every served version.

export const SMI_SPLIT_GROUP = 'split.smi-spec.io';
export const SMI_SPECS_GROUP = 'specs.smi-spec.io';
export const SMI_METRICS_GROUP = 'metrics.smi-spec.io';
export const TRAFFIC_SPLIT_PLURAL = 'trafficsplits';
export const HTTP_ROUTE_GROUP_PLURAL = 'httproutegroups';

/** TrafficSplit versions in preference order (newest first) for API discovery. */
export const TRAFFIC_SPLIT_VERSIONS = ['v1alpha4', 'v1alpha3', 'v1alpha2', 'v1alpha1'] as const;
export type TrafficSplitVersion = (typeof TRAFFIC_SPLIT_VERSIONS)[number];

interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
}

/** v1alpha1 weights are Kubernetes Quantities ("900m", "1", "5"); later versions integers. */
export interface TrafficSplitBackendV1alpha1 {
  service: string;
  weight: string | number;
}

export interface TrafficSplitBackend {
  service: string;
  weight: number;
}

/** A reference to an HTTPRouteGroup (v1alpha3+). */
export interface TrafficSplitMatch {
  apiGroup?: string;
  kind: 'HTTPRouteGroup';
  name: string;
}

export interface TrafficSplitV1alpha1 {
  apiVersion: 'split.smi-spec.io/v1alpha1';
  kind: 'TrafficSplit';
  metadata: ObjectMeta;
  spec: { service?: string; backends?: TrafficSplitBackendV1alpha1[] };
}

export interface TrafficSplitV1alpha2 {
  apiVersion: 'split.smi-spec.io/v1alpha2';
  kind: 'TrafficSplit';
  metadata: ObjectMeta;
  spec: { service?: string; backends?: TrafficSplitBackend[] };
}

export interface TrafficSplitV1alpha3 {
  apiVersion: 'split.smi-spec.io/v1alpha3';
  kind: 'TrafficSplit';
  metadata: ObjectMeta;
  spec: { service: string; backends: TrafficSplitBackend[]; matches?: TrafficSplitMatch[] };
}

export interface TrafficSplitV1alpha4 {
  apiVersion: 'split.smi-spec.io/v1alpha4';
  kind: 'TrafficSplit';
  metadata: ObjectMeta;
  spec: { service: string; backends: TrafficSplitBackend[]; matches?: TrafficSplitMatch[] };
}

export type TrafficSplit =
  TrafficSplitV1alpha1 | TrafficSplitV1alpha2 | TrafficSplitV1alpha3 | TrafficSplitV1alpha4;

/** One value of a TrafficMetrics object: a Quantity string such as "12500m"; unit "ms" for latencies. */
export interface TrafficMetricValue {
  name: string;
  unit?: string;
  value: string;
}

/** metrics.smi-spec.io/v1alpha1 TrafficMetrics (served by an aggregated API server). */
export interface TrafficMetrics {
  apiVersion: 'metrics.smi-spec.io/v1alpha1';
  kind: 'TrafficMetrics';
  metadata: { name: string; namespace?: string; creationTimestamp?: string };
  timestamp: string;
  /** Go duration string, e.g. "30s". */
  window: string;
  resource: { kind: string; namespace?: string; name?: string };
  edge: {
    direction: 'to' | 'from';
    resource: { kind: string; namespace?: string; name?: string } | null;
  };
  metrics: TrafficMetricValue[];
}

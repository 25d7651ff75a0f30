// The slices of apps/v1 and core/v1 objects the workload layer reads and writes, as the JSON the
// raw client and informers carry (client-node's V1* model classes would claim Date timestamps the
// JSON does not have). Unknown fields are kept, so a copy of a template loses nothing.
import type { KubeObject } from '../kube/object-key.js';
import type { ObjectReader } from '../kube/object-reader.js';

export interface KeyRef {
  name?: string;
  key?: string;
  optional?: boolean;
}

export interface EnvVarJson {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef; [key: string]: unknown };
}

export interface EnvFromJson {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface ContainerJson {
  name: string;
  env?: EnvVarJson[];
  envFrom?: EnvFromJson[];
  [key: string]: unknown;
}

export interface ProjectionJson {
  configMap?: { name?: string; optional?: boolean; [key: string]: unknown };
  secret?: { name?: string; optional?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

export interface VolumeJson {
  name: string;
  configMap?: { name?: string; optional?: boolean; [key: string]: unknown };
  secret?: { secretName?: string; optional?: boolean; [key: string]: unknown };
  projected?: { sources?: ProjectionJson[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface PodSpecJson {
  containers?: ContainerJson[];
  initContainers?: ContainerJson[];
  volumes?: VolumeJson[];
  [key: string]: unknown;
}

export interface PodTemplateJson {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: PodSpecJson;
}

export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

export interface DeploymentConditionJson {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface DeploymentJson extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelectorJson;
    template?: PodTemplateJson;
    strategy?: Record<string, unknown>;
    minReadySeconds?: number;
    progressDeadlineSeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: DeploymentConditionJson[];
  };
}

export interface ServicePortJson {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
  nodePort?: number;
}

export interface ServiceJson extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: ServicePortJson[];
    [key: string]: unknown;
  };
}

/** A ConfigMap or a Secret. */
export interface ConfigJson extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  /** Secrets only. */
  type?: string;
  immutable?: boolean;
}

/** An autoscaling/v2 HorizontalPodAutoscaler, as JSON; the fields we read or copy. */
export interface HpaJson extends KubeObject {
  spec?: {
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: unknown[];
    behavior?: Record<string, unknown>;
  };
  status?: { currentReplicas?: number; desiredReplicas?: number };
}

/** The informer caches the workload functions read from (src/kube Informers satisfy them). */
export interface WorkloadCaches {
  readonly deployments: ObjectReader<DeploymentJson>;
  readonly services: ObjectReader<ServiceJson>;
  readonly configMaps: ObjectReader<ConfigJson>;
  readonly secrets: ObjectReader<ConfigJson>;
  /** Needed only by Canaries with spec.autoscalerRef. */
  readonly autoscalers?: ObjectReader<HpaJson>;
}

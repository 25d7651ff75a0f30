import type { KubeObject } from '../../../src/kube/object-key.js';

/** The parts of the watched objects the emulator reads (plain JSON, as informers deliver it). */
export interface ServiceObject extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    ports?: { name?: string; port?: number }[];
  };
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
}

export interface DeploymentObject extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    progressDeadlineSeconds?: number;
    paused?: boolean;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
    template?: PodTemplate;
  };
  status?: DeploymentStatus;
}

export interface TrafficSplitObject extends KubeObject {
  spec?: { service?: unknown; backends?: unknown; matches?: unknown };
}

/** An HTTPRoute (gateway.networking.k8s.io v1 or v1beta1: the same stored JSON). */
export interface HttpRouteObject extends KubeObject {
  spec?: { parentRefs?: unknown; rules?: unknown };
  status?: { parents?: unknown };
}

/** A Pod: what the resource metrics API reads of it. */
export interface PodObject extends KubeObject {
  spec?: {
    containers?: { name?: string; resources?: { requests?: Record<string, unknown> } }[];
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
  };
}

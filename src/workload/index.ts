// The workload layer's public surface, for the reconciler. See README.md for the call order.
export { GITOPS_HANDS_OFF, WORKLOAD_ANNOTATIONS } from './annotations.js';
export type { ObjectReader } from '../kube/object-reader.js';
export { targetOf, targetRevision, trackedConfigSources } from './config-tracking.js';
export type { TargetRevision, TrackedSource } from './config-tracking.js';
export type { WorkloadDeps, WriteAction } from './deps.js';
export { TakeoverRefusedError, WorkloadSpecError, conditionReasonOf } from './errors.js';
export {
  DEFAULT_IDLE_SCALE_POLICY,
  NO_IDLE_SCALE_HISTORY,
  decideIdleScale,
} from './gitops-scale.js';
export type {
  IdleScaleAction,
  IdleScaleHistory,
  IdleScaleInput,
  IdleScalePolicy,
} from './gitops-scale.js';
export type { ConfigJson, DeploymentJson, ServiceJson, WorkloadCaches } from './k8s-types.js';
export { ensurePrimary, promotePrimary } from './primary.js';
export type { PrimaryResult } from './primary.js';
export { primaryReplicas, primaryRevisionOf } from './primary-builder.js';
export { deploymentReadiness } from './readiness.js';
export type { Readiness } from './readiness.js';
export { scaleDeployment, scaleTarget } from './scale.js';
export { ensureApexService, ensureBackendServices, releaseApexService } from './services.js';
export type { ServiceAction } from './services.js';

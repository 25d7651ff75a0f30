// weightlifter's own resources as the generic Kubernetes client addresses them (the built-in ones
// are BUILTIN in src/kube/resources.ts). One definition for the controller and the CLI.
import type { ResourceRef } from '../kube/resources.js';
import { GROUP, KINDS, PLURALS, VERSION } from './constants.js';

export const CANARY_REF: ResourceRef = {
  group: GROUP,
  version: VERSION,
  plural: PLURALS.canary,
  kind: KINDS.canary,
  namespaced: true,
};

export const ANALYSIS_TEMPLATE_REF: ResourceRef = {
  group: GROUP,
  version: VERSION,
  plural: PLURALS.analysisTemplate,
  kind: KINDS.analysisTemplate,
  namespaced: true,
};

export const CLUSTER_ANALYSIS_TEMPLATE_REF: ResourceRef = {
  group: GROUP,
  version: VERSION,
  plural: PLURALS.clusterAnalysisTemplate,
  kind: KINDS.clusterAnalysisTemplate,
  namespaced: false,
};

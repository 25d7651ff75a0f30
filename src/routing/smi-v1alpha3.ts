// TrafficSplit v1alpha3 (Traefik Mesh) and v1alpha4 (the last SMI release, the SDK's CRD): the
// same shape — integer weights plus optional `matches` referencing HTTPRouteGroups; v1alpha4 only
// bumps the compatible specs.smi-spec.io version.
import type { SplitCodec } from './traffic-split.js';

export const smiV1alpha3: SplitCodec = {
  version: 'v1alpha3',
  apiVersion: 'split.smi-spec.io/v1alpha3',
  supportsMatches: true,
  encodeWeight: (weight) => weight,
};

export const smiV1alpha4: SplitCodec = {
  version: 'v1alpha4',
  apiVersion: 'split.smi-spec.io/v1alpha4',
  supportsMatches: true,
  encodeWeight: (weight) => weight,
};

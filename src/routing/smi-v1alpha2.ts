// TrafficSplit v1alpha2 (OSM, linkerd-smi): weights are whole numbers; no `matches`, so header
// matching cannot be expressed (rejected by strategy.ts, never approximated).
import type { SplitCodec } from './traffic-split.js';

export const smiV1alpha2: SplitCodec = {
  version: 'v1alpha2',
  apiVersion: 'split.smi-spec.io/v1alpha2',
  supportsMatches: false,
  encodeWeight: (weight) => weight,
};

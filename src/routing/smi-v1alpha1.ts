// TrafficSplit v1alpha1 (Linkerd <= 2.11, linkerd-smi, the Istio SMI adapter): weights are
// resource.Quantity values. We write integer Quantities in Go's canonical string form ("95"),
// exactly what Flagger and Argo Rollouts write, so Go consumers and re-serialising tools see the
// same bytes; reading accepts any Quantity ("900m") because weights are relative.
import type { SplitCodec } from './traffic-split.js';

export const smiV1alpha1: SplitCodec = {
  version: 'v1alpha1',
  apiVersion: 'split.smi-spec.io/v1alpha1',
  supportsMatches: false,
  encodeWeight: (weight) => String(weight),
};

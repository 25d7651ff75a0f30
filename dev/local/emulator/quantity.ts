import { parseQuantity } from '../../../src/kube/quantity.js';
import { WORLD_ERROR_CODES, WorldError } from './errors.js';

/**
 * The numeric value of a Kubernetes resource.Quantity as it appears in JSON: a number (v1alpha2+
 * TrafficSplit weights, or v1alpha1 written as a plain integer) or a string such as "900m", "1",
 * "1.5k", "1e3" (v1alpha1 weights are Quantities). Parsed by kube/quantity.ts; float precision is
 * ample for traffic weights.
 */
export function quantityValue(value: unknown): number {
  const n = parseQuantity(value);
  if (n !== undefined) return n;
  throw new WorldError(
    WORLD_ERROR_CODES.BAD_QUANTITY,
    `not a Kubernetes quantity: ${JSON.stringify(value)}`,
    { details: { value } },
  );
}

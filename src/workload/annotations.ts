// Annotation keys the workload layer reads or writes (src/api/constants.ts is another helper's;
// these are candidates to move there).
import { ANNOTATIONS } from '../api/constants.js';

export const WORKLOAD_ANNOTATIONS = {
  /**
   * `"true"` on a pre-existing apex Service that weightlifter did not create: the explicit rule
   * that lets weightlifter take it over (rewrite its selector to the primary pods). Without it,
   * an existing Service is never modified.
   */
  takeover: 'weightlifter.io/takeover',
  /** Written by us on a taken-over Service: JSON TakenOver record, used to give it back. */
  takenOver: 'weightlifter.io/taken-over',
  /** On the primary Deployment and its pod template: the revision its template was copied from. */
  revision: 'weightlifter.io/revision',
  /** `disabled` on a ConfigMap/Secret: not tracked, not copied; the primary uses the original. */
  configTracking: ANNOTATIONS.configTracking,
} as const;

/**
 * Set on a taken-over Service so Flux does not put the user's selector back every interval
 * (which would swing traffic between primary and the scaled-to-zero target). Removed on give-back.
 */
export const GITOPS_HANDS_OFF: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

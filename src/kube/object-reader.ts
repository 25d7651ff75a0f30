// The read side the reconciler injects into workload and routing functions. An informer from
// src/kube (Informer<T>) satisfies it as is; reads never go to the API server, so a reconcile of
// a converged canary costs no request at all.

export interface ObjectReader<T> {
  getByName(namespace: string | undefined, name: string): T | undefined;
  /** Objects in `namespace` (all namespaces when undefined). Callers must not mutate them. */
  list(namespace?: string): T[];
}

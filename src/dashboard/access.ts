// What the dashboard's identity may do, asked of the API server itself (SelfSubjectAccessReview),
// so the page offers only what RBAC allows and the API server still decides every request.
import { GROUP, PLURALS } from '../api/constants.js';
import { WeightlifterError } from '../errors/catalogue.js';
import type { KubeRawClient } from '../kube/raw-client.js';

interface AccessReview {
  status?: { allowed?: boolean };
}

export async function mayI(
  raw: KubeRawClient,
  verb: string,
  namespace: string | undefined,
  resource: string = PLURALS.canary,
  group: string = GROUP,
): Promise<boolean> {
  const review = await raw.create<AccessReview>(
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb,
          group,
          resource,
          ...(namespace === undefined ? {} : { namespace }),
        },
      },
    },
  );
  return review.status?.allowed === true;
}

/** May this identity list and watch Canaries (and their Events) in `namespace` (undefined: all)? */
async function mayWatch(raw: KubeRawClient, namespace: string | undefined): Promise<boolean> {
  const answers = await Promise.all([
    mayI(raw, 'list', namespace),
    mayI(raw, 'watch', namespace),
    mayI(raw, 'list', namespace, 'events', ''),
    mayI(raw, 'watch', namespace, 'events', ''),
  ]);
  return answers.every((a) => a);
}

/**
 * The namespaces to watch: the ones given (each must be watchable: a namespace RBAC hides is an
 * error, not an empty page); else every namespace when the identity may watch Canaries
 * cluster-wide; else the kubeconfig context's namespace (kubectl's rule).
 */
export async function watchedNamespaces(
  raw: KubeRawClient,
  given: readonly string[],
  contextNamespace: string | undefined,
): Promise<readonly string[] | undefined> {
  const wanted =
    given.length > 0
      ? given
      : (await mayWatch(raw, undefined))
        ? undefined
        : [contextNamespace ?? 'default'];
  for (const namespace of wanted ?? []) {
    if (!(await mayWatch(raw, namespace))) {
      throw new WeightlifterError(
        'WL_DASHBOARD_FORBIDDEN',
        `your identity may not list and watch Canaries and Events in namespace ${namespace}`,
        { details: { namespace } },
      );
    }
  }
  return wanted;
}

/** Per namespace: may this identity patch Canaries there (the operations' annotation)? Cached. */
export class OperateAccess {
  readonly #cache = new Map<string, { readonly at: number; readonly allowed: boolean }>();

  constructor(
    private readonly raw: KubeRawClient,
    private readonly now: () => number,
    private readonly ttlMs = 30_000,
  ) {}

  async allowed(namespace: string): Promise<boolean> {
    const hit = this.#cache.get(namespace);
    if (hit !== undefined && this.now() - hit.at < this.ttlMs) return hit.allowed;
    const allowed = await mayI(this.raw, 'patch', namespace);
    this.#cache.set(namespace, { at: this.now(), allowed });
    return allowed;
  }
}

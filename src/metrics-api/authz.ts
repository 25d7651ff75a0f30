// What a user may do, decided by the API server (SubjectAccessReview; needs system:auth-delegator).
// Decisions are cached briefly per (user, attributes), like kube-apiserver's delegated
// authorization (--authorization-webhook-cache-*-ttl).
import { SMI_METRICS_GROUP, SMI_METRICS_VERSION } from '../metrics/traffic-metrics-api.js';
import type { UserInfo } from './authn.js';
import type { ReviewClient } from './review-client.js';
import type { ServedResource } from './routes.js';
import { TtlCache } from './ttl-cache.js';

export type Attributes =
  | {
      readonly kind: 'resource';
      readonly verb: 'get' | 'list';
      readonly resource: ServedResource;
      readonly subresource?: 'edges';
      readonly namespace?: string;
      readonly name?: string;
    }
  | { readonly kind: 'nonResource'; readonly verb: 'get'; readonly path: string };

export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

export interface Authorizer {
  /** Throws (KubeApiError / KubeRequestError) when the API server cannot decide. */
  authorize(user: UserInfo, attributes: Attributes): Promise<Decision>;
}

interface SubjectAccessReviewStatus {
  readonly status?: {
    readonly allowed?: boolean;
    readonly denied?: boolean;
    readonly reason?: string;
    readonly evaluationError?: string;
  };
}

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

export interface SarAuthorizerOptions {
  /** @default 10_000 */
  readonly allowedTtlMs?: number;
  /** @default 10_000 */
  readonly deniedTtlMs?: number;
  readonly now?: () => number;
}

export class SarAuthorizer implements Authorizer {
  readonly #client: ReviewClient;
  readonly #cache: TtlCache<Decision>;
  readonly #opts: SarAuthorizerOptions;
  readonly #inFlight = new Map<string, Promise<Decision>>();

  constructor(client: ReviewClient, opts: SarAuthorizerOptions = {}) {
    this.#client = client;
    this.#opts = opts;
    this.#cache = new TtlCache(opts.now === undefined ? {} : { now: opts.now });
  }

  authorize(user: UserInfo, attributes: Attributes): Promise<Decision> {
    const key = JSON.stringify([user, attributes]);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    // Concurrent identical requests share one review.
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = this.#review(user, attributes)
        .then((decision) => {
          const ttl = decision.allowed
            ? (this.#opts.allowedTtlMs ?? 10_000)
            : (this.#opts.deniedTtlMs ?? 10_000);
          this.#cache.set(key, decision, ttl);
          return decision;
        })
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #review(user: UserInfo, attributes: Attributes): Promise<Decision> {
    const answer = await this.#client.create<SubjectAccessReviewStatus>(
      SUBJECT_ACCESS_REVIEW_PATH,
      subjectAccessReview(user, attributes),
    );
    const s = answer.status ?? {};
    const allowed = s.allowed === true && s.denied !== true;
    return { allowed, reason: s.reason ?? s.evaluationError ?? '' };
  }
}

export function subjectAccessReview(user: UserInfo, attributes: Attributes): object {
  const spec = {
    user: user.name,
    ...(user.uid === undefined ? {} : { uid: user.uid }),
    groups: user.groups,
    extra: user.extra,
  };
  const target =
    attributes.kind === 'nonResource'
      ? { nonResourceAttributes: { path: attributes.path, verb: attributes.verb } }
      : {
          resourceAttributes: {
            verb: attributes.verb,
            group: SMI_METRICS_GROUP,
            version: SMI_METRICS_VERSION,
            resource: attributes.resource,
            ...(attributes.subresource === undefined
              ? {}
              : { subresource: attributes.subresource }),
            ...(attributes.namespace === undefined ? {} : { namespace: attributes.namespace }),
            ...(attributes.name === undefined ? {} : { name: attributes.name }),
          },
        };
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { ...spec, ...target },
  };
}

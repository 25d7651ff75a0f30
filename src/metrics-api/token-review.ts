// Bearer tokens of direct callers, checked by the API server (TokenReview; needs the
// system:auth-delegator ClusterRole). Answers are cached by the token's digest, never the token.
import { createHash } from 'node:crypto';
import type { UserInfo } from './authn.js';
import type { ReviewClient } from './review-client.js';
import { TtlCache } from './ttl-cache.js';

export interface TokenReviewer {
  /** The token's user, or undefined when the API server says it is not valid. Throws on failure. */
  review(token: string): Promise<UserInfo | undefined>;
}

interface TokenReviewStatus {
  readonly status?: {
    readonly authenticated?: boolean;
    readonly user?: {
      readonly username?: string;
      readonly uid?: string;
      readonly groups?: string[];
      readonly extra?: Record<string, string[]>;
    };
  };
}

export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

export class CachedTokenReviewer implements TokenReviewer {
  readonly #client: ReviewClient;
  readonly #ttlMs: number;
  readonly #cache: TtlCache<UserInfo | null>;

  constructor(client: ReviewClient, opts: { ttlMs?: number; now?: () => number } = {}) {
    this.#client = client;
    this.#ttlMs = opts.ttlMs ?? 10_000;
    this.#cache = new TtlCache(opts.now === undefined ? {} : { now: opts.now });
  }

  async review(token: string): Promise<UserInfo | undefined> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const answer = await this.#client.create<TokenReviewStatus>(TOKEN_REVIEW_PATH, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    const user = answer.status?.user;
    const result: UserInfo | null =
      answer.status?.authenticated === true && user?.username !== undefined
        ? {
            name: user.username,
            ...(user.uid === undefined ? {} : { uid: user.uid }),
            groups: user.groups ?? [],
            extra: user.extra ?? {},
          }
        : null;
    this.#cache.set(key, result, this.#ttlMs);
    return result ?? undefined;
  }
}

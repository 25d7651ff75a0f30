// The one call delegated authn/authz make to the API server: create a review object and read the
// answer. KubeRawClient satisfies it; unit tests pass a recording implementation.
export interface ReviewClient {
  create<T>(path: string, body: unknown): Promise<T>;
}

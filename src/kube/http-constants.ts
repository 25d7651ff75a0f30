// The HTTP verbs and patch content types the API server speaks, as the raw client sends them.

export const HttpMethod = {
  GET: 'GET',
  HEAD: 'HEAD',
  POST: 'POST',
  PUT: 'PUT',
  PATCH: 'PATCH',
  DELETE: 'DELETE',
} as const;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** A PATCH's Content-Type names its semantics. */
export const PatchStrategy = {
  /** RFC 6902: a list of operations (test, replace, ...). */
  JsonPatch: 'application/json-patch+json',
  /** RFC 7386: objects merge, lists and scalars replace, null deletes. */
  MergePatch: 'application/merge-patch+json',
  /** Built-in kinds only: lists merge by their patch keys. */
  StrategicMergePatch: 'application/strategic-merge-patch+json',
  /** Server-side apply: the body is the manager's whole intent; needs `fieldManager`. */
  ServerSideApply: 'application/apply-patch+yaml',
} as const;
export type PatchStrategy = (typeof PatchStrategy)[keyof typeof PatchStrategy];

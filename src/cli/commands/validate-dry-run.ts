// The API server's verdict on each document: a server-side apply with dryRun=All (it creates or
// updates, exactly what a GitOps tool's apply would do, and persists nothing). Schema, CEL and
// admission failures come back as a Status whose details.causes carry field paths; each cause
// becomes one problem.
import { KubeApiError, isNotFound } from '../../kube/errors.js';
import { PatchStrategy } from '../../kube/http-constants.js';
import type { KubeRawClient } from '../../kube/raw-client.js';
import type { KubeDoc, Note, Problem } from './validate-types.js';

export const FIELD_MANAGER = 'weightlifter-validate';

interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}
interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: StatusCause[] };
}

/** Whether a kind is served, and namespaced, from the API server's discovery (cached per group/version). */
export class KindResolver {
  readonly #raw: KubeRawClient;
  readonly #cache = new Map<
    string,
    Promise<{ kind: string; namespaced: boolean; name: string }[] | null>
  >();

  constructor(raw: KubeRawClient) {
    this.#raw = raw;
  }

  /** null: the apiVersion is not served; undefined: served, but without this kind. */
  async resolve(
    apiVersion: string,
    kind: string,
  ): Promise<{ namespaced: boolean; name: string } | null | undefined> {
    let pending = this.#cache.get(apiVersion);
    if (pending === undefined) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      pending = this.#raw
        .get<{ resources?: { kind: string; namespaced: boolean; name: string }[] }>(path)
        .then(
          (list) => list.resources ?? [],
          (err: unknown) => {
            if (isNotFound(err)) return null;
            throw err;
          },
        );
      this.#cache.set(apiVersion, pending);
    }
    const resources = await pending;
    if (resources === null) return null;
    return resources.find((r) => r.kind === kind && !r.name.includes('/'));
  }
}

function parseBody(body: unknown): StatusBody {
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : { message: body };
  } catch {
    // Not a Status (a proxy's error page): its first bytes are the best message there is.
    return { message: body.slice(0, 300) };
  }
}

/** Server-side apply reports type errors as `...): .spec.x: expected string, ...` without causes. */
const TYPED_PATH = /\): \.([^\s:]+): /;

export function problemsFromStatus(doc: KubeDoc, code: number, body: unknown): Problem[] {
  const status = parseBody(body);
  const causes = status.details?.causes ?? [];
  if (causes.length > 0) {
    return causes.map((c) => ({
      doc: doc.ref,
      field: c.field ?? '',
      message: c.message ?? c.reason ?? 'invalid',
      source: 'apiserver',
    }));
  }
  const message = status.message ?? `HTTP ${code}`;
  let field = TYPED_PATH.exec(message)?.[1] ?? '';
  if (code === 404 && /namespaces? "[^"]*" not found/.test(message)) field = 'metadata.namespace';
  return [{ doc: doc.ref, field, message, source: 'apiserver' }];
}

export interface DryRunContext {
  readonly raw: KubeRawClient;
  readonly kinds: KindResolver;
  /** For namespaced documents without metadata.namespace. */
  readonly defaultNamespace: string;
  /** Namespaces the file itself creates (a dry run cannot see them). */
  readonly namespacesInFile: ReadonlySet<string>;
}

export async function dryRun(
  doc: KubeDoc,
  ctx: DryRunContext,
): Promise<{ problems: Problem[]; notes: Note[] }> {
  const apiVersion = typeof doc.object.apiVersion === 'string' ? doc.object.apiVersion : '';
  const kind = typeof doc.object.kind === 'string' ? doc.object.kind : '';
  const problem = (field: string, message: string): { problems: Problem[]; notes: Note[] } => ({
    problems: [{ doc: doc.ref, field, message, source: 'apiserver' }],
    notes: [],
  });
  if (apiVersion === '') return problem('apiVersion', 'Required value');
  if (kind === '') return problem('kind', 'Required value');
  const served = await ctx.kinds.resolve(apiVersion, kind);
  if (served === null)
    return problem(
      'apiVersion',
      `${apiVersion} is not served by this cluster (CRD not installed?)`,
    );
  if (served === undefined)
    return problem('kind', `${kind} is not a kind of ${apiVersion} in this cluster`);
  const metadata: Record<string, unknown> = { ...doc.object.metadata };
  if (served.namespaced && typeof metadata['namespace'] !== 'string') {
    metadata['namespace'] = ctx.defaultNamespace;
  }
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  if (name === '') return problem('metadata.name', 'Required value');
  const ns = served.namespaced
    ? `/namespaces/${encodeURIComponent(String(metadata['namespace']))}`
    : '';
  const group = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const path = `${group}${ns}/${served.name}/${encodeURIComponent(name)}`;
  const object = { ...structuredClone(doc.object), metadata };
  try {
    await ctx.raw.patch(path, object, PatchStrategy.ServerSideApply, {
      dryRun: 'All',
      fieldManager: FIELD_MANAGER,
      force: true,
    });
    return { problems: [], notes: [] };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    const code = err.status;
    const problems = problemsFromStatus(doc, code, err.body);
    const namespace = metadata['namespace'];
    if (code === 404 && typeof namespace === 'string' && ctx.namespacesInFile.has(namespace)) {
      const message = `not dry-run on the server: its namespace ${namespace} is created by this file`;
      return { problems: [], notes: [{ doc: doc.ref, message }] };
    }
    return { problems, notes: [] };
  }
}

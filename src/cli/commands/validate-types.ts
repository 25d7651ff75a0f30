// The vocabulary of `validate`: a problem is a field path in one document and what is wrong there,
// tagged with who found it (the YAML parser, the API server's dry run, or the controller's checks).

export interface DocRef {
  /** 1-based position in the file. */
  readonly index: number;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
}

export type ProblemSource = 'yaml' | 'apiserver' | 'controller';

export interface Problem {
  readonly doc: DocRef;
  /** e.g. `spec.analysis.metrics[1].templateRef.name`; '' when it concerns the whole document. */
  readonly field: string;
  readonly message: string;
  readonly source: ProblemSource;
}

/** Something worth saying that is not a problem (e.g. a check that could not run). */
export interface Note {
  readonly doc: DocRef;
  readonly message: string;
  /** A warning: valid, but probably not what was meant (exit code 0 all the same). */
  readonly warning?: true;
}

export interface KubeDoc {
  readonly ref: DocRef;
  readonly object: Record<string, unknown> & {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
}

export function docLabel(doc: DocRef): string {
  const where = doc.namespace === null ? doc.name : `${doc.namespace}/${doc.name}`;
  return `document ${doc.index} (${doc.kind || '<no kind>'} ${where || '<no name>'})`;
}

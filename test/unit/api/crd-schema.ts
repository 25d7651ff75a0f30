// Reads our CRD YAML files and flattens an OpenAPI schema into the same path notation as
// src/api/field-manifest.ts, so tests can compare the two.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FieldSpec, SchemaType } from '../../../src/api/field-manifest.js';

export interface Validation {
  rule: string;
  message?: string;
  fieldPath?: string;
  reason?: string;
}

export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: Validation[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

export interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: PrinterColumn[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

export const repoPath = (rel: string): string =>
  fileURLToPath(new URL(`../../../${rel}`, import.meta.url));

export function loadCrd(file: string): Crd {
  return parse(readFileSync(repoPath(`crds/${file}`), 'utf8')) as Crd;
}

export function rootSchema(crd: Crd): Schema {
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${crd.metadata.name} has no versions`);
  return version.schema.openAPIV3Schema;
}

function schemaType(node: Schema, path: string): SchemaType {
  if (node['x-kubernetes-int-or-string'] === true) return 'int-or-string';
  if (node.type === 'object' && node.additionalProperties !== undefined && !node.properties) {
    return 'map';
  }
  switch (node.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'object':
    case 'array':
      return node.type;
    default:
      throw new Error(`${path}: unsupported schema type ${String(node.type)}`);
  }
}

/** Every field under the given top-level properties (e.g. spec, status), keyed by path. */
export function flattenSchema(root: Schema, tops: readonly string[]): Map<string, FieldSpec> {
  const out = new Map<string, FieldSpec>();
  const visit = (node: Schema, path: string, required: boolean): void => {
    const field: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = {
      required,
      type: schemaType(node, path),
    };
    if (node.enum) field.enum = node.enum.map(String);
    if (node.default !== undefined) field.default = node.default;
    out.set(path, field);
    const children = node.type === 'array' ? node.items : node;
    const prefix = node.type === 'array' ? `${path}[].` : `${path}.`;
    for (const [name, child] of Object.entries(children?.properties ?? {})) {
      visit(child, `${prefix}${name}`, children?.required?.includes(name) ?? false);
    }
  };
  for (const top of tops) {
    const node = root.properties?.[top];
    if (node) visit(node, top, root.required?.includes(top) ?? false);
  }
  return out;
}

/** Each schema node with its path, including list items (`[]`) and map values (`{}`). */
export function* walkSchema(node: Schema, path: string): Generator<[string, Schema]> {
  yield [path, node];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    yield* walkSchema(child, path ? `${path}.${name}` : name);
  }
  if (node.items) yield* walkSchema(node.items, `${path}[]`);
  if (typeof node.additionalProperties === 'object') {
    yield* walkSchema(node.additionalProperties, `${path}{}`);
  }
}

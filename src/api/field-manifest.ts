// Type-level description of every field path of an API type, so a manifest written as a plain
// object can be checked against the TypeScript interfaces at compile time (`satisfies
// FieldManifest<T>`: a missing path, an extra path, wrong required-ness or an enum that does not
// match the union type all fail typecheck) and against the CRD schema at test time
// (test/unit/api/crd-drift.test.ts). Together they keep crds/ and src/api/ in step.
//
// Paths: `a.b` for properties, `a[].b` inside list items. Maps (Record<string, V>) and lists of
// scalars are leaves.

export type SchemaType =
  'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'map' | 'int-or-string';

type IsRequired<T, K extends keyof T> = object extends Pick<T, K> ? false : true;

type TypeOf<V> = [V] extends [boolean]
  ? 'boolean'
  : [V] extends [number]
    ? 'integer' | 'number'
    : [V] extends [string]
      ? 'string'
      : [V] extends [number | string]
        ? 'int-or-string'
        : [V] extends [readonly unknown[]]
          ? 'array'
          : [V] extends [object]
            ? string extends keyof V
              ? 'map'
              : 'object'
            : never;

/** The literal union of an enum-typed string field; never for plain strings and other types. */
type EnumOf<V> = [V] extends [string] ? (string extends V ? never : V) : never;

type DefaultOf<V> = [V] extends [object] ? Record<string, never> : V;

type EnumPart<V> = [EnumOf<V>] extends [never]
  ? { readonly enum?: never }
  : { readonly enum: readonly EnumOf<V>[] };

export type FieldInfo<V, R extends boolean> = {
  readonly required: R;
  readonly type: TypeOf<V>;
  readonly default?: DefaultOf<V>;
} & EnumPart<V>;

type Entries<T, P extends string> = {
  [K in keyof T & string]-?: Entry<NonNullable<T[K]>, `${P}${K}`, IsRequired<T, K>>;
}[keyof T & string];

type Entry<V, Path extends string, R extends boolean> =
  { readonly path: Path; readonly info: FieldInfo<V, R> } | Children<V, Path>;

type Children<V, Path extends string> = [V] extends [readonly (infer E)[]]
  ? [E] extends [object]
    ? Entries<E, `${Path}[].`>
    : never
  : [V] extends [object]
    ? string extends keyof V
      ? never
      : Entries<V, `${Path}.`>
    : never;

/** Every field path of T with its required-ness, schema type, enum values and default. */
export type FieldManifest<T> = {
  readonly [
    E in Entries<T, ''> as E extends { readonly path: infer P extends string } ? P : never
  ]: E extends {
    readonly info: infer I;
  }
    ? I
    : never;
};

/** Runtime view of one manifest entry (what the drift test compares with the CRD). */
export interface FieldSpec {
  readonly required: boolean;
  readonly type: SchemaType;
  readonly enum?: readonly string[];
  readonly default?: unknown;
}

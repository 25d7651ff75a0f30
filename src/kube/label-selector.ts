// Kubernetes label selectors in their string form (`a=b,c in (d,e),!f`): parsed and checked the
// way the API server's labels.Parse does for the operators kubectl documents, so a bad selector
// is refused when the controller starts instead of by every list and watch it would send.
// A parse error is a value naming what is wrong, not an exception.

export type SelectorOperator = 'exists' | 'notexists' | 'equals' | 'notequals' | 'in' | 'notin';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted; one value for equals/notequals, none for exists/notexists. */
  readonly values: readonly string[];
}

export type ParsedSelector =
  | { readonly ok: true; readonly requirements: readonly Requirement[] }
  | { readonly ok: false; readonly error: string };

// A label name: at most 63 characters, alphanumeric at both ends, `-_.` inside.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// A key's optional prefix: a DNS subdomain of at most 253 characters.
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SET = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const EQUALITY = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/;

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return `"${key}": the prefix before "/" must be a DNS subdomain`;
  }
  if (name.length > 63 || !NAME.test(name)) {
    return (
      `"${key}" is not a label key (at most 63 characters after an optional prefix/, ` +
      'alphanumeric at both ends, "-", "_" or "." inside)'
    );
  }
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME.test(value))) return undefined;
  return (
    `"${value}" is not a label value (at most 63 characters, alphanumeric at both ends, ` +
    '"-", "_" or "." inside)'
  );
}

/** Splits at commas outside parentheses: `a in (b,c),d` -> [`a in (b,c)`, `d`]. */
function splitRequirements(selector: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(selector.slice(start).trim());
  return parts;
}

function parseRequirement(text: string): Requirement | string {
  if (text === '') return 'an empty requirement (two commas in a row, or one at an end)';
  const set = SET.exec(text);
  if (set !== null) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    if (list.trim() === '') return `"${key}": the set of values in ( ) is empty`;
    const bad = [keyProblem(key), ...values.map(valueProblem)].find((p) => p !== undefined);
    if (bad !== undefined) return bad;
    return { key, operator: op === 'in' ? 'in' : 'notin', values: [...new Set(values)].sort() };
  }
  const eq = EQUALITY.exec(text);
  if (eq !== null) {
    const [, key = '', op, value = ''] = eq;
    const bad = keyProblem(key) ?? valueProblem(value.trim());
    if (bad !== undefined) return bad;
    return { key, operator: op === '!=' ? 'notequals' : 'equals', values: [value.trim()] };
  }
  const negated = text.startsWith('!');
  const key = (negated ? text.slice(1) : text).trim();
  if (/[\s<>()=]/.test(key)) {
    return `"${text}" is not a requirement (key, !key, key=value, key!=value, key in (...), key notin (...))`;
  }
  const bad = keyProblem(key);
  if (bad !== undefined) return bad;
  return { key, operator: negated ? 'notexists' : 'exists', values: [] };
}

/** Parses a selector; the empty string selects everything (no requirements). */
export function parseLabelSelector(selector: string): ParsedSelector {
  if (selector.trim() === '') return { ok: true, requirements: [] };
  const parts = splitRequirements(selector);
  if (parts === undefined) return { ok: false, error: 'unbalanced or nested parentheses' };
  const requirements: Requirement[] = [];
  for (const part of parts) {
    const r = parseRequirement(part);
    if (typeof r === 'string') return { ok: false, error: r };
    requirements.push(r);
  }
  return { ok: true, requirements };
}

/** The selector as the API server reads it, in one spelling (`key in (a,b)`, `key=a`, `!key`). */
export function formatLabelSelector(requirements: readonly Requirement[]): string {
  return requirements
    .map(({ key, operator, values }) => {
      switch (operator) {
        case 'exists':
          return key;
        case 'notexists':
          return `!${key}`;
        case 'equals':
          return `${key}=${values[0] ?? ''}`;
        case 'notequals':
          return `${key}!=${values[0] ?? ''}`;
        case 'in':
        case 'notin':
          return `${key} ${operator} (${values.join(',')})`;
      }
    })
    .join(',');
}

/** Whether labels satisfy every requirement (labels.Selector.Matches). */
export function matchesLabelSelector(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every(({ key, operator, values }) => {
    const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
    switch (operator) {
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
      case 'equals':
      case 'in':
        return value !== undefined && values.includes(value);
      case 'notequals':
      case 'notin':
        return value === undefined || !values.includes(value);
    }
  });
}

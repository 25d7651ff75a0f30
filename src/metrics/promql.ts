// PromQL text helpers for batching. A batched query selects several canary Deployments with one
// regex matcher (`deployment=~"(?:a|b|c)"`) and keeps them apart with `by (deployment)`, so the
// per-deployment selector of a single-canary query becomes a grouping.

/** A PromQL double-quoted string body matching exactly one of `names` (RE2, anchored by PromQL). */
export function targetRegex(names: readonly string[]): string {
  const alternatives = [...names].sort().map(escapeRegex).join('|');
  return escapeString(`(?:${alternatives})`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Escapes for the inside of a PromQL double-quoted string. */
export function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Whether the query aggregates `by (...)` with `label` among the grouping labels. */
export function groupsBy(query: string, label: string): boolean {
  for (const [, labels = ''] of query.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    if (labels.split(',').some((l) => l.trim() === label)) return true;
  }
  return false;
}

const TARGET_PLACEHOLDER = /\{\{\s*target\s*\}\}/g;

/**
 * Why a template cannot be batched by `label`, or undefined when it can: every `{{ target }}` must
 * sit inside a regex matcher's string (`label=~"...{{ target }}..."`, so it can become an
 * alternation) and the query must group `by (label)` (so the answer can be fanned out).
 */
export function batchProblem(template: string, label: string): string | undefined {
  const uses = [...template.matchAll(TARGET_PLACEHOLDER)];
  if (uses.length === 0) return 'the query does not use {{ target }}';
  for (const use of uses) {
    const before = template.slice(0, use.index);
    if (!/=~\s*"[^"]*$/.test(before)) {
      return '{{ target }} is used outside a regex matcher (=~"...")';
    }
  }
  if (!groupsBy(template, label)) return `the query does not aggregate by (${label})`;
  return undefined;
}

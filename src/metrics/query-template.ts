// Strict rendering of analysis queries. The placeholders are exactly `{{ namespace }}`,
// `{{ target }}`, `{{ interval }}` and `{{ variables.<name> }}` (Flagger's names). Anything else
// between `{{` and `}}` — a typo, an undefined variable, Go template syntax — is an error naming
// every offending placeholder, so a broken template fails loudly at the first tick instead of
// sending a half-rendered query to Prometheus. Values are inserted verbatim (PromQL has no
// escaping convention the controller could apply for the author).
import { TEMPLATE_ERROR_REASONS, TemplateError } from './template-errors.js';

export interface TemplateContext {
  readonly namespace: string;
  /** The target Deployment's name (the canary workload). */
  readonly target: string;
  /** The metric's query window, e.g. "1m". */
  readonly interval: string;
  readonly variables: Readonly<Record<string, string>>;
}

export type RenderResult =
  | { readonly ok: true; readonly query: string }
  | { readonly ok: false; readonly error: TemplateError };

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const VARIABLE = /^variables\.([A-Za-z_][A-Za-z0-9_]*)$/;

const INTERVAL_USED = /\{\{\s*interval\s*\}\}/;

/** Whether the query is measured over the window it is given (it uses {{ interval }}). */
export function usesInterval(query: string): boolean {
  return INTERVAL_USED.test(query);
}

/** Template defaults overridden by the metric's templateVariables. */
export function mergeVariables(
  defaults: Readonly<Record<string, string>> | undefined,
  overrides: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return { ...defaults, ...overrides };
}

function lookup(name: string, ctx: TemplateContext): string | undefined {
  if (name === 'namespace') return ctx.namespace;
  if (name === 'target') return ctx.target;
  if (name === 'interval') return ctx.interval;
  const variable = VARIABLE.exec(name)?.[1];
  if (variable === undefined || !Object.hasOwn(ctx.variables, variable)) return undefined;
  return ctx.variables[variable];
}

export function renderQuery(template: string, ctx: TemplateContext): RenderResult {
  const unknown: string[] = [];
  const query = template.replace(PLACEHOLDER, (_match, inner: string) => {
    const name = inner.trim();
    const value = lookup(name, ctx);
    if (value === undefined) unknown.push(name);
    return value ?? '';
  });
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"{{ ${n} }}"`).join(', ');
    const message = `unknown template variable(s) ${list}; known: namespace, target, interval, variables.<name> (defined: ${Object.keys(ctx.variables).join(', ') || 'none'})`;
    return {
      ok: false,
      error: new TemplateError(TEMPLATE_ERROR_REASONS.unknownVariable, message, unknown),
    };
  }
  // Braces left once the placeholders are gone were not a complete placeholder: `{{` without
  // `}}`, or a stray `}}`. Checked on the template, so a value containing braces is fine.
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    const message = 'unbalanced "{{" or "}}" in template';
    return { ok: false, error: new TemplateError(TEMPLATE_ERROR_REASONS.syntax, message, []) };
  }
  return { ok: true, query };
}

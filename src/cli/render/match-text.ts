// spec.analysis.match (an A/B release) on one line for `status`: entries joined by "or", the
// fields of one entry by "and"; header names as written, values quoted as JSON strings.
import type { HttpMatch } from '../../api/canary.js';

function entryText(m: HttpMatch): string {
  const parts = Object.entries(m.headers ?? {}).map(([name, h]) => {
    if (h.exact !== undefined) return `${name} = ${JSON.stringify(h.exact)}`;
    if (h.prefix !== undefined) return `${name} starts with ${JSON.stringify(h.prefix)}`;
    return `${name} ~ ${JSON.stringify(h.regex ?? '')}`;
  });
  if (m.pathRegex !== undefined) parts.push(`path ~ ${JSON.stringify(m.pathRegex)}`);
  if (m.methods !== undefined) parts.push(`method ${m.methods.join('|')}`);
  return parts.join(' and ');
}

/** The match as text; null without one. */
export function matchText(match: readonly HttpMatch[] | undefined): string | null {
  if (match === undefined || match.length === 0) return null;
  return match.map(entryText).join(' or ');
}

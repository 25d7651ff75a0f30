// A/B over Gateway API, as data: spec.analysis.match as HTTPRoute matches, and the rule that
// carries them. During an A/B run the route has two rules of ours: the A/B rule (these matches,
// sending to the primary and canary with the run's weights: canary 100) and, right after it, the
// weighted rule (every other request, all on the primary). Gateway API ranks matches by path,
// then method, then header count, and takes rule order only on a tie: the A/B rule matches path
// prefix "/" like the weighted rule, plus headers or methods, so it wins for the requests it
// names. Outside a run (canary weight 0) the A/B rule is not written, and a left-over one is
// removed by the next write.
import type { HttpMatch } from '../api/canary.js';
import type { JsonObject } from '../kube/merge-patch.js';

/** The API server's default path, spelled out so a re-read compares equal. */
const ANY_PATH: JsonObject = { type: 'PathPrefix', value: '/' };

/** `s` as an RE2 literal. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * One Gateway API header match per header, sorted by name (the API server returns a Canary's
 * map keys sorted, and a re-read must compare equal). Gateway API has no prefix match: a prefix
 * is the anchored regular expression `^<prefix>.*`.
 */
function headerMatches(headers: HttpMatch['headers']): JsonObject[] {
  return Object.entries(headers ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => {
      if (m.exact !== undefined) return { type: 'Exact', name, value: m.exact };
      const value = m.prefix !== undefined ? `^${regexLiteral(m.prefix)}.*` : (m.regex ?? '');
      return { type: 'RegularExpression', name, value };
    });
}

/**
 * spec.analysis.match as HTTPRoute matches: one per entry and method (a Gateway API match has at
 * most one method), each field of the entry ANDed in it; the list is ORed, like the entries.
 */
export function httpRouteMatches(match: readonly HttpMatch[]): JsonObject[] {
  return match.flatMap((m) => {
    const base: JsonObject = {
      path:
        m.pathRegex === undefined ? ANY_PATH : { type: 'RegularExpression', value: m.pathRegex },
      ...(m.headers === undefined ? {} : { headers: headerMatches(m.headers) }),
    };
    const methods = m.methods ?? [];
    return methods.length === 0 ? [base] : methods.map((method) => ({ ...base, method }));
  });
}

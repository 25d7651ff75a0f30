// The metric names a PromQL query selects, for pre-flight: which scrape jobs feed a query decides
// which scrape interval its window must cover (src/metrics/scrape-interval.ts). A lexer, not a
// parser: it skips strings, comments, label matchers, ranges and label lists, and drops
// identifiers that are keywords or called like functions. Selectors written only as
// `{__name__=~"..."}` give no name; the caller then cannot tell the job and says so.

/** Aggregations, binary operators and modifiers: reserved words, never metric names. */
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'offset',
  'inf',
  'nan',
]);

/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENT_START = /[A-Za-z_:]/;
const IDENT = /[A-Za-z0-9_:]/;
const EXACT_NAME = /__name__\s*=\s*(["'`])([A-Za-z_:][A-Za-z0-9_:]*)\1/g;

/** Index just past the string literal that starts at `i` (quote at `i`). */
function skipString(q: string, i: number): number {
  const quote = q[i];
  let j = i + 1;
  while (j < q.length && q[j] !== quote) j += quote !== '`' && q[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket that closes the one at `i`, skipping strings inside. */
function skipGroup(q: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < q.length) {
    const c = q[j] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(q, j);
      continue;
    }
    if (c === open) depth += 1;
    else if (c === close && --depth === 0) return j + 1;
    j += 1;
  }
  return j;
}

const nextNonSpace = (q: string, i: number): number => {
  let j = i;
  while (j < q.length && /\s/.test(q[j] ?? '')) j += 1;
  return j;
};

/** The distinct metric names `query` selects, in order of first use. */
export function metricNames(query: string): string[] {
  const names = new Set<string>();
  let i = 0;
  while (i < query.length) {
    const c = query[i] ?? '';
    if (c === '"' || c === "'" || c === '`') i = skipString(query, i);
    else if (c === '#') i = query.indexOf('\n', i) === -1 ? query.length : query.indexOf('\n', i);
    else if (c === '{') {
      const end = skipGroup(query, i, '{', '}');
      for (const m of query.slice(i, end).matchAll(EXACT_NAME)) names.add(m[2] ?? '');
      i = end;
    } else if (c === '[') i = skipGroup(query, i, '[', ']');
    else if (/[0-9.]/.test(c)) {
      // Numbers and durations (5m, 1e3, 0x1f): one token, whatever letters follow.
      while (i < query.length && /[0-9A-Za-z_.]/.test(query[i] ?? '')) i += 1;
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < query.length && IDENT.test(query[i] ?? '')) i += 1;
      const word = query.slice(start, i);
      const after = nextNonSpace(query, i);
      const lower = word.toLowerCase();
      if (LABEL_LISTS.has(lower) && query[after] === '(') i = skipGroup(query, after, '(', ')');
      else if (!KEYWORDS.has(lower) && query[after] !== '(') names.add(word);
    } else i += 1;
  }
  names.delete('');
  return [...names];
}

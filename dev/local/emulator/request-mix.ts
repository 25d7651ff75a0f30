// Synthetic requests that are not all `GET /`: the `emulator.weightlifter.io/request-mix` Service
// annotation (issue 16) declares shares of the Service's requests with their own method, path and
// headers, and the emulated GAMMA mesh routes each share by the HTTPRoute rule it matches.
//
//   emulator.weightlifter.io/request-mix: '[{"percent": 20, "headers": {"x-canary": "insider"}},
//                                           {"percent": 5, "method": "POST", "path": "/api/orders"}]'
//
// A JSON list; each entry `percent` (> 0, the entries together at most 100), `method` (default
// GET), `path` (default "/", must start with "/"), `headers` (name -> value, default none). The
// rest of the requests are `GET /` without headers. A bad value is ignored as a whole (every
// request `GET /`) and reported with its reason, like the other annotations.

import { HTTP_ROUTE_METHODS } from '../../../src/api/gateway-api.js';

/** One kind of synthetic request and its share of the Service's requests. */
export interface RequestClass {
  /** Percent of the Service's requests, 0 < percent <= 100. */
  readonly percent: number;
  readonly method: string;
  readonly path: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

export const REQUEST_MIX_ANNOTATION = 'emulator.weightlifter.io/request-mix';

/** The emulator's plain request. */
export const PLAIN_REQUEST: Omit<RequestClass, 'percent'> = {
  method: 'GET',
  path: '/',
  headers: {},
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The declared classes, then the plain rest (if any); or why the annotation is ignored. */
export function parseRequestMix(
  value: string | undefined,
): { classes: RequestClass[] } | { problem: string } {
  const plain = (percent: number): RequestClass[] =>
    percent > 0 ? [{ percent, ...PLAIN_REQUEST }] : [];
  if (value === undefined) return { classes: plain(100) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    if (err instanceof SyntaxError) return { problem: 'not JSON; every request is GET /' };
    throw err;
  }
  if (!Array.isArray(parsed)) return { problem: 'not a JSON list; every request is GET /' };
  const classes: RequestClass[] = [];
  for (const [i, e] of parsed.entries()) {
    const bad = (why: string) => ({ problem: `[${i}]: ${why}; every request is GET /` });
    if (!isRecord(e)) return bad('not an object');
    const { percent, method = 'GET', path = '/', headers = {} } = e;
    if (typeof percent !== 'number' || !(percent > 0 && percent <= 100)) {
      return bad('percent must be a number in (0, 100]');
    }
    if (typeof method !== 'string' || !HTTP_ROUTE_METHODS.has(method))
      return bad(`unknown method ${String(method)}`);
    if (typeof path !== 'string' || !path.startsWith('/')) return bad('path must start with /');
    if (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string')) {
      return bad('headers must map names to strings');
    }
    const lower = Object.fromEntries(
      Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    classes.push({ percent, method, path, headers: lower });
  }
  const total = classes.reduce((s, c) => s + c.percent, 0);
  if (total > 100) return { problem: `percents add up to ${total} > 100; every request is GET /` };
  return { classes: [...classes, ...plain(100 - total)] };
}

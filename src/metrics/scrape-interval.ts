// How often a Prometheus server scrapes, for pre-flight's window rule: a query window must hold at
// least MIN_SCRAPES scrapes of the series it reads, or rate()/increase() over it return nothing at
// every step (issue 12 item 2). The intervals come from the server itself
// (GET /api/v1/status/config: the loaded YAML, global and per-job scrape_interval), read fresh at
// each pre-flight: a config reloaded since the last run must not make a check pass.
import { parse } from 'yaml';
import { METRICS_ERROR_REASONS, MetricsError } from './errors.js';
import type { PrometheusEndpoint } from './executor.js';
import { sendHttp } from '../outbound/http-request.js';
import { innermostMessage } from '../outbound/post-json.js';

/** Fewer samples than this in a window and a rate over it has no value. */
export const MIN_SCRAPES = 2;

export interface ScrapeIntervals {
  /** global.scrape_interval in ms (Prometheus prints its default, 1m, when none is set). */
  readonly globalMs: number;
  /** job_name -> scrape_interval in ms (a job without its own inherits the global one). */
  readonly jobs: ReadonlyMap<string, number>;
}

/** Reads a server's loaded configuration; throws MetricsError. */
export interface PrometheusConfigReader {
  configYaml(endpoint: PrometheusEndpoint, signal?: AbortSignal): Promise<string>;
}

/** Whole scrapes of `scrapeMs` that any window of `windowMs` is sure to contain. */
export function scrapesInWindow(windowMs: number, scrapeMs: number): number {
  return scrapeMs <= 0 ? Number.POSITIVE_INFINITY : Math.floor(windowMs / scrapeMs);
}

/** The shortest window that holds MIN_SCRAPES scrapes of `scrapeMs`. */
export function minimumWindowMs(scrapeMs: number): number {
  return MIN_SCRAPES * scrapeMs;
}

const PROM_UNITS_MS: Readonly<Record<string, number>> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};
const PROM_DURATION = /^(?:\d+(?:y|w|d|h|ms|m|s))+$/;
const PROM_PART = /(\d+)(y|w|d|h|ms|m|s)/g;

/** A Prometheus duration ("15s", "1m30s", "1d") in ms; null when it is not one. */
export function parsePromDuration(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0;
  if (!PROM_DURATION.test(t)) return null;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(PROM_PART))
    ms += Number(n) * (PROM_UNITS_MS[unit ?? ''] ?? 0);
  return ms;
}

function badConfig(message: string): MetricsError {
  return new MetricsError(METRICS_ERROR_REASONS.badResponse, message);
}

/** The scrape intervals in a configuration as /api/v1/status/config prints it. */
export function parseScrapeConfig(yaml: string): ScrapeIntervals {
  let doc: unknown;
  try {
    doc = parse(yaml);
  } catch (cause) {
    throw new MetricsError(METRICS_ERROR_REASONS.badResponse, 'the configuration is not YAML', {
      cause,
    });
  }
  const config = (typeof doc === 'object' && doc !== null ? doc : {}) as {
    global?: { scrape_interval?: unknown };
    scrape_configs?: unknown;
  };
  const duration = (value: unknown, where: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    const ms = typeof value === 'string' ? parsePromDuration(value) : null;
    if (ms === null) throw badConfig(`${where} ${JSON.stringify(value)} is not a duration`);
    return ms;
  };
  const globalMs = duration(config.global?.scrape_interval, 'global.scrape_interval') ?? 60_000;
  const jobs = new Map<string, number>();
  const list: unknown[] = Array.isArray(config.scrape_configs) ? config.scrape_configs : [];
  for (const job of list) {
    const { job_name: name, scrape_interval: interval } = (job ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string') continue;
    jobs.set(name, duration(interval, `scrape_configs ${name}: scrape_interval`) ?? globalMs);
  }
  return { globalMs, jobs };
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A loaded configuration larger than this is cut off (and then fails to parse, loudly). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/**
 * Reads /api/v1/status/config with the endpoint's credentials, through the endpoint's policy
 * lookup when it has one (src/outbound/http-request.ts: no proxy, no redirect followed). Any
 * non-2xx answer is an error carrying the status and the server's own message (a
 * Prometheus-compatible querier may not serve this path).
 */
export const fetchConfigReader: PrometheusConfigReader = {
  async configYaml(endpoint, signal) {
    const url = `${endpoint.address.replace(/\/+$/, '')}/api/v1/status/config`;
    const auth = endpoint.auth;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth !== undefined) {
      headers['Authorization'] =
        'bearerToken' in auth
          ? `Bearer ${auth.bearerToken}`
          : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    const timeout = AbortSignal.timeout(DEFAULT_TIMEOUT_MS);
    const a = await sendHttp(url, {
      method: 'GET',
      headers,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      maxBodyBytes: MAX_CONFIG_BYTES,
      ...(endpoint.lookup === undefined ? {} : { lookup: endpoint.lookup }),
    });
    if (a.kind === 'refused') {
      throw new MetricsError(
        METRICS_ERROR_REASONS.addressNotAllowed,
        `GET ${url} refused by the address policy: ${a.error.message}`,
        { cause: a.error, details: { address: endpoint.address, rule: a.error.rule } },
      );
    }
    if (a.kind !== 'answer') {
      const reason = timeout.aborted
        ? METRICS_ERROR_REASONS.timeout
        : METRICS_ERROR_REASONS.network;
      throw new MetricsError(reason, `GET ${url} failed: ${innermostMessage(a.cause)}`, {
        cause: a.cause,
        details: { address: endpoint.address },
      });
    }
    const ok = a.status >= 200 && a.status <= 299;
    let body: { status?: unknown; error?: unknown; data?: { yaml?: unknown } } = {};
    try {
      body = JSON.parse(a.body) as typeof body;
    } catch {
      // Not JSON (a proxy's page, a server without this API): its first bytes say what it is.
    }
    if (!ok || typeof body.data?.yaml !== 'string') {
      const what = typeof body.error === 'string' ? body.error : a.body.slice(0, 200).trim();
      throw new MetricsError(
        ok ? METRICS_ERROR_REASONS.badResponse : METRICS_ERROR_REASONS.queryFailed,
        `GET ${url} answered ${a.status}${what === '' ? '' : `: ${what}`}`,
        { details: { address: endpoint.address, httpStatus: a.status } },
      );
    }
    return body.data.yaml;
  },
};

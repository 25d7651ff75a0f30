// Small parsers for configuration values; each records a problem instead of throwing, so the
// operator sees every mistake in one error.
import { parseDuration } from '../time/duration.js';

/** "a, b,,c" -> ['a', 'b', 'c']. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseInteger(
  value: string | undefined,
  fallback: number,
  min: number,
  name: string,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    problems.push(`${name}: "${value}" is not an integer >= ${min}`);
    return fallback;
  }
  return n;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A flag given without a value (`--leader-elect`) is true. */
export function parseBool(
  value: string | boolean | undefined,
  fallback: boolean,
  name: string,
  problems: string[],
): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  problems.push(`${name}: "${value}" is not true or false`);
  return fallback;
}

/** "host:port", "[::1]:8080" or ":8080" (all interfaces). */
export function parseHostPort(
  value: string,
  name: string,
  problems: string[],
): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65_535) {
    problems.push(`${name}: "${value}" is not host:port`);
    return { host: '127.0.0.1', port: 8080 };
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** A Go-style duration ("15s", "1m30s", "500ms") in ms, at least `minMs`. */
export function parseDurationMs(
  value: string | undefined,
  fallback: number,
  minMs: number,
  name: string,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null || ms < minMs) {
    problems.push(`${name}: "${value}" is not a duration of at least ${minMs} ms (e.g. 15s)`);
    return fallback;
  }
  return ms;
}

/** RFC 1123 label, as a namespace name must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

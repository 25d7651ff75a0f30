// Human durations for "time in phase" and event ages: the two largest units, like kubectl
// (45s, 2m13s, 3h4m, 2d5h).

export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/** Milliseconds from an RFC 3339 time to `now`; null when absent or unreadable. */
export function since(time: string | undefined, now: number): number | null {
  if (time === undefined) return null;
  const t = Date.parse(time);
  return Number.isNaN(t) ? null : Math.max(0, now - t);
}

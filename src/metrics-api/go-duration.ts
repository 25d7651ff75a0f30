// The `window` field as Go's time.Duration.String() renders it (smi-metrics echoes the parsed
// `?t=`): "30s", "1m0s", "1h30m0s", "1.5s", "500ms", "0s".

export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${trim(abs)}ms`;
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = (abs % 60_000) / 1000;
  const s = `${trim(seconds)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${sign}${minutes}m${s}`;
  return `${sign}${s}`;
}

/** Decimal without float noise or trailing zeros (Go prints at most 9 fractional digits). */
function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

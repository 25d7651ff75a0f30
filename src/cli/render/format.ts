// Small cell formatters shared by the status views.
import type { MetricSummary } from './summary.js';
import { paint, type Style, type Tone } from './style.js';

/** Up to two decimals, without trailing zeros; '-' for no value. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  return String(Math.round(value * 100) / 100);
}

export function formatThreshold(
  m: Pick<MetricSummary, 'min' | 'max' | 'compare' | 'against'>,
): string {
  if (m.compare !== null) return `vs ${m.against ?? 'primary'} (${m.compare})`;
  if (m.min !== null && m.max !== null) return `${formatValue(m.min)}..${formatValue(m.max)}`;
  if (m.min !== null) return `>= ${formatValue(m.min)}`;
  if (m.max !== null) return `<= ${formatValue(m.max)}`;
  return '-';
}

const RESULT_TONE: Record<MetricSummary['result'], Tone> = {
  Successful: 'green',
  Failed: 'red',
  Error: 'red',
  Inconclusive: 'yellow',
  Pending: 'dim',
};

export function formatResult(result: MetricSummary['result'], style: Style): string {
  return paint(style, RESULT_TONE[result], result);
}

export function phaseTone(phase: string): Tone {
  if (phase === 'Succeeded' || phase === 'Initialized') return 'green';
  if (phase === 'Failed') return 'red';
  if (phase === 'Waiting' || phase === 'WaitingPromotion') return 'yellow';
  return 'cyan';
}

export function formatPhase(phase: string, style: Style): string {
  return paint(style, phaseTone(phase), phase);
}

/** Revision hashes are long; eight characters identify them on screen. */
export function shortRevision(revision: string | null): string {
  return revision === null ? '-' : revision.slice(0, 8);
}

// Turns successive reads of the Canary into the lines of the story: one line when the phase, the
// weight or the failed-check count moves, one line of metric values against their thresholds when
// a new analysis lands: a step's check (status.lastAnalysisAt moves) or a fail-fast evaluation
// within a step (only the records in status.lastAnalysis move; labelled "fail-fast"). Pure (time
// and style passed in), so the unit tests pin what users read.
import type { Canary } from '../../src/api/canary.js';
import { humanDuration } from '../../src/cli/render/duration.js';
import {
  formatPhase,
  formatResult,
  formatThreshold,
  formatValue,
} from '../../src/cli/render/format.js';
import { progressBar } from '../../src/cli/render/progress-bar.js';
import { clean, paint, truncate, type Style } from '../../src/cli/render/style.js';
import { summarize, type CanarySummary } from '../../src/cli/render/summary.js';

/** What decides whether a read is news (failed checks only change with a new analysis). */
export interface Frame {
  readonly phase: string;
  readonly weight: number;
  readonly analysisAt: string | null;
}

export function frameOf(canary: Canary): Frame {
  const s = canary.status ?? {};
  return {
    phase: s.phase ?? 'Pending',
    weight: s.canaryWeight ?? 0,
    analysisAt: isFailFast(canary) ? latestAt(canary) : (s.lastAnalysisAt ?? latestAt(canary)),
  };
}

/** The latest records are a fail-fast evaluation's: newer than the step's last check. */
function isFailFast(canary: Canary): boolean {
  const latest = latestAt(canary);
  const step = canary.status?.lastAnalysisAt;
  return latest !== null && step !== undefined && Date.parse(latest) > Date.parse(step);
}

function latestAt(canary: Canary): string | null {
  const times = (canary.status?.lastAnalysis ?? []).map((r) => r.at).sort();
  return times[times.length - 1] ?? null;
}

const GUTTER = 9;

/** "+5s", "+1m12s": time since the release started, in a fixed-width gutter. */
export function elapsedLabel(ms: number): string {
  return `+${humanDuration(ms)}`.padEnd(GUTTER - 2);
}

function stepLine(
  s: CanarySummary,
  style: Style,
  elapsedMs: number,
  phaseChanged: boolean,
): string {
  // Padded after painting: the colour follows the phase name, not the padding.
  const head = `  ${elapsedLabel(elapsedMs)}${formatPhase(s.phase, style)}`;
  const pad = ' '.repeat(Math.max(1, 18 - s.phase.length));
  // The bar says everything while the weight moves; otherwise the controller's own sentence.
  if (s.canaryWeight > 0 && s.phase === 'Progressing') {
    return `${head}${pad}${progressBar(s, style, 20)}`;
  }
  if (!phaseChanged || s.message === null) return head;
  return `${head}${pad}${truncate(clean(s.message), Math.max(30, style.width - GUTTER - 19), style)}`;
}

function analysisLine(
  s: CanarySummary,
  style: Style,
  elapsedMs: number,
  label: string,
): string | null {
  const measured = s.metrics.filter((m) => m.result !== 'Pending');
  if (measured.length === 0) return null;
  const sep = style.unicode ? ' · ' : ' | ';
  const parts = measured.map(
    (m) =>
      `${clean(m.name)} ${formatValue(m.value)} (${formatThreshold(m)}) ${formatResult(m.result, style)}`,
  );
  const checks = `failed checks ${s.failedChecks}/${s.threshold}`;
  parts.push(s.failedChecks > 0 ? paint(style, 'red', checks) : checks);
  return `  ${elapsedLabel(elapsedMs)}${paint(style, 'dim', label.padEnd(17))} ${parts.join(sep)}`;
}

/**
 * The lines a new read adds to the story (none when nothing a user cares about moved): first the
 * analysis that just landed, then the move it caused (a new weight, a new phase).
 */
export function narrate(
  previous: Frame | undefined,
  canary: Canary,
  style: Style,
  now: number,
  startedAt: number,
): string[] {
  const frame = frameOf(canary);
  // Nothing to say before the controller has written a status.
  if (canary.status?.phase === undefined) return [];
  const s = summarize(canary, [], now);
  const lines: string[] = [];
  if (frame.analysisAt !== null && frame.analysisAt !== previous?.analysisAt) {
    const label = isFailFast(canary) ? 'fail-fast' : 'analysis';
    const line = analysisLine(s, style, now - startedAt, label);
    if (line !== null) lines.push(line);
  }
  const phaseChanged = previous?.phase !== frame.phase;
  if (phaseChanged || previous.weight !== frame.weight) {
    lines.push(stepLine(s, style, now - startedAt, phaseChanged));
  }
  return lines;
}

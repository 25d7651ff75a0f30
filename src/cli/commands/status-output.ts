// Printing a snapshot: the full view once, a redrawn frame on a terminal, or one line (or one
// JSON/YAML document) per change when stdout is a pipe.
import { renderList, summaryLine } from '../render/list-view.js';
import { renderStatus } from '../render/status-view.js';
import { renderStructured, type OutputFormat } from '../render/structured.js';
import type { Style } from '../render/style.js';
import { stableView, type Snapshot } from './status-snapshot.js';

export function snapshotLines(
  snap: Snapshot,
  style: Style,
  now: number,
  allNamespaces: boolean,
): string[] {
  switch (snap.kind) {
    case 'one':
      return renderStatus(snap.summary, style, now);
    case 'list':
      return renderList(snap.summaries, style, allNamespaces);
    case 'missing':
      return [snap.message];
  }
}

export function snapshotData(snap: Snapshot, stable = false): unknown {
  switch (snap.kind) {
    case 'one':
      return stable ? stableView(snap.summary) : snap.summary;
    case 'list':
      return { items: snap.summaries.map((s) => (stable ? stableView(s) : s)) };
    case 'missing':
      return { error: snap.message };
  }
}

/** Lines that describe the snapshot without ticking values: one per Canary. */
export function changeLines(snap: Snapshot): string[] {
  switch (snap.kind) {
    case 'one':
      return [summaryLine(snap.summary)];
    case 'list':
      return snap.summaries.map(summaryLine);
    case 'missing':
      return [snap.message];
  }
}

export function structured(
  snap: Snapshot,
  format: Exclude<OutputFormat, 'text'>,
  compact: boolean,
): string {
  return renderStructured(snapshotData(snap), format, compact);
}

// `status --watch`: poll until the watch signal aborts. On a terminal the frame is redrawn in
// place (time in phase keeps moving); on a pipe a line is printed only when something changed, so
// a CI log reads as the run's history instead of a wall of repeated frames.
import type { KubeClients } from '../../kube/client.js';
import { renderStructured, type OutputFormat } from '../render/structured.js';
import type { Style } from '../render/style.js';
import type { CliDeps } from './context.js';
import { describeError } from './failures.js';
import { changeLines, snapshotData, snapshotLines } from './status-output.js';
import { takeSnapshot, type StatusTarget } from './status-snapshot.js';

export interface WatchOptions {
  readonly target: StatusTarget;
  readonly format: OutputFormat;
  readonly style: Style;
  readonly intervalMs: number;
  readonly allNamespaces: boolean;
}

/**
 * Back to the first line of the previous frame and clear below it; a frame taller than the screen
 * has scrolled out of reach, so then clear the whole screen instead (like watch(1)).
 */
export function rewind(drawn: number, height: number | null): string {
  if (drawn === 0) return '';
  if (height !== null && drawn >= height) return '\u001b[H\u001b[2J';
  return `\u001b[${drawn}F\u001b[J`;
}

export async function watchStatus(
  deps: CliDeps,
  clients: KubeClients,
  opts: WatchOptions,
): Promise<void> {
  const signal = deps.watchSignal();
  const out = deps.stdout;
  let drawn = 0;
  const last = new Map<string, string>();
  let lastData = '';
  let lastError = '';
  while (!signal.aborted) {
    try {
      const snap = await takeSnapshot(clients, opts.target, deps.now);
      lastError = '';
      const now = deps.now();
      if (opts.format !== 'text') {
        const data = JSON.stringify(snapshotData(snap, true));
        if (data !== lastData) out.write(renderStructured(snapshotData(snap), opts.format, true));
        lastData = data;
      } else if (opts.style.tty) {
        const lines = snapshotLines(snap, opts.style, now, opts.allNamespaces);
        // One write per frame: the terminal never shows a cleared screen without the new frame.
        out.write(rewind(drawn, opts.style.height) + lines.map((l) => `${l}\n`).join(''));
        drawn = lines.length;
      } else {
        const stamp = new Date(now).toISOString();
        for (const line of changeLines(snap)) {
          const key = line.split(' ', 1)[0] ?? line;
          if (last.get(key) !== line) out.write(`${stamp} ${line}\n`);
          last.set(key, line);
        }
      }
    } catch (err) {
      // A failed poll (API server restarting, network) is reported once, then retried.
      const message = describeError(err);
      if (message !== lastError) deps.stderr.write(`weightlifter: ${message}; retrying\n`);
      lastError = message;
    }
    await deps.sleep(opts.intervalMs, signal);
  }
}

import { LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';
import { logTail, type Child } from './processes.js';

export interface WaitOptions {
  /** What is awaited, for the error message. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Components whose exit makes waiting pointless: fail at once with their log. */
  readonly watch?: readonly Child[];
}

/**
 * Polls `check` until it returns true. Every wait has a deadline; the error carries the last
 * failure as its cause and, when a watched component died, that component's log tail.
 */
export async function waitUntil(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = opts.watch?.find((c) => c.exit !== undefined);
    if (dead !== undefined) {
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.PROCESS_EXITED,
        `${dead.name} exited (${dead.exit?.code ?? dead.exit?.signal ?? '?'}) while waiting for ${opts.what}; last log lines:\n${logTail(dead.logFile)}`,
        { details: { component: dead.name, logFile: dead.logFile } },
      );
    }
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const logs = (opts.watch ?? [])
        .map((c) => `--- ${c.name} (${c.logFile})\n${logTail(c.logFile, 8)}`)
        .join('\n');
      throw new LocalClusterError(
        LOCAL_ERROR_CODES.NOT_READY,
        `${opts.what} not ready after ${opts.timeoutMs} ms${logs === '' ? '' : `\n${logs}`}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}

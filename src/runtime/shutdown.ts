import type { Logger } from 'pino';

export interface ShutdownOptions {
  readonly logger: Logger;
  /** @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Injected for tests. @default process */
  readonly proc?: Pick<NodeJS.Process, 'once' | 'removeListener' | 'exit'>;
}

/**
 * Runs `shutdown` once on the first SIGTERM/SIGINT (graceful: drain, release the lease) and exits
 * 0 when it resolves, 1 when it fails. A second signal exits at once with 130 — an operator who
 * presses Ctrl-C twice means it. Returns a disposer that removes the handlers.
 */
export function onShutdownSignal(shutdown: () => Promise<void>, opts: ShutdownOptions): () => void {
  const proc = opts.proc ?? process;
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let started = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (started) {
      opts.logger.warn({ signal }, 'second signal, exiting now');
      proc.exit(130);
      return;
    }
    started = true;
    opts.logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => proc.exit(0),
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        proc.exit(1);
      },
    );
    // Stay subscribed for the second signal.
    proc.once(signal, handler);
  };
  for (const s of signals) proc.once(s, handler);
  return () => {
    for (const s of signals) proc.removeListener(s, handler);
  };
}

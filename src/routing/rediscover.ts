// A router that found its API unserved at start-up looks again now and then, and says when it
// appears: the process restarts to watch it (informers are fixed for the process's life).
import type { Logger } from 'pino';

/** How often a router that found nothing to watch at start-up looks again. */
export const REDISCOVER_MS = 60_000;

/**
 * Resolves with `found`'s answer once `probe` finds something; pending while it finds nothing or
 * fails (logged); gives up on `signal`.
 */
export function rediscover(
  signal: AbortSignal,
  probe: () => Promise<string | undefined>,
  logger: Logger,
  what: string,
): Promise<string> {
  return new Promise((resolve) => {
    if (signal.aborted) return;
    const timer = setInterval(() => {
      probe().then(
        (found) => {
          if (found === undefined || signal.aborted) return;
          clearInterval(timer);
          resolve(found);
        },
        (err: unknown) => {
          logger.warn({ err, api: what }, 'routing API discovery failed');
        },
      );
    }, REDISCOVER_MS);
    timer.unref();
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
      },
      { once: true },
    );
  });
}

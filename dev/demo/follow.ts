// Polls the Canary until a release reaches its end, printing what the narrator makes of each read.
// Reads go to the real API server; a failed read is retried until the deadline and, if the deadline
// passes, becomes the timeout's cause.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary } from '../../src/api/canary.js';
import { getCanary } from '../../src/cli/commands/status-fetch.js';
import type { Style } from '../../src/cli/render/style.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { DEMO_ERROR_CODES, DemoError } from './errors.js';
import { frameOf, narrate, type Frame } from './narrator.js';

export interface FollowDeps {
  readonly raw: KubeRawClient;
  readonly namespace: string;
  readonly name: string;
  readonly style: Style;
  readonly write: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly pollMs?: number;
}

export interface FollowGoal<T> {
  /** Says what the deadline was for. */
  readonly what: string;
  readonly timeoutMs: number;
  /** The end of the wait, or undefined to keep polling. */
  readonly done: (canary: Canary) => T | undefined;
  /** The last read before the wait: only what moves after it is news. */
  readonly from?: Frame;
  readonly startedAt: number;
}

export async function follow<T>(
  deps: FollowDeps,
  goal: FollowGoal<T>,
): Promise<{ result: T; canary: Canary }> {
  const deadline = deps.now() + goal.timeoutMs;
  let previous = goal.from;
  let lastError: unknown;
  let last: Canary | undefined;
  for (;;) {
    try {
      last = await getCanary(deps.raw, deps.namespace, deps.name);
      lastError = undefined;
    } catch (err) {
      // Not found right after `kubectl apply`, or an API server slow on a loaded machine: read again.
      lastError = err;
    }
    if (last !== undefined && lastError === undefined) {
      for (const line of narrate(previous, last, deps.style, deps.now(), goal.startedAt)) {
        deps.write(line);
      }
      previous = frameOf(last);
      const result = goal.done(last);
      if (result !== undefined) return { result, canary: last };
    }
    if (deps.now() > deadline) {
      throw new DemoError(
        DEMO_ERROR_CODES.TIMEOUT,
        `${goal.what} did not happen within ${Math.round(goal.timeoutMs / 1000)} s` +
          (last === undefined ? '' : ` (the Canary is ${last.status?.phase ?? 'without status'})`),
        { cause: lastError, details: { status: last?.status } },
      );
    }
    await sleep(deps.pollMs ?? 500, undefined, { signal: deps.signal });
  }
}

// All hooks of one type for one Canary, in list order, each to completion — unlike Flagger, a
// failure does not skip the hooks after it, so status and Events can name every hook that said
// no. What the aggregate means is the caller's (the machine's) decision per type:
//   gates (confirm-rollout, confirm-traffic-increase, confirm-promotion) and checks (pre-rollout,
//   rollout) pass when `allSucceeded`; `rollback` hooks request a rollback when `anySucceeded`;
//   post-rollout and event hooks are informational.
// With no hook of the type: allSucceeded = true (nothing objects), anySucceeded = false (nobody
// asked for a rollback).
import type { Logger } from 'pino';
import type { Webhook } from '../api/canary.js';
import type { WebhookType } from '../api/constants.js';
import { STORED_DEFAULTS } from '../api/defaults.js';
import { buildPayload, type HookEvent, type HookSubject } from './payload.js';
import { callWebhook, type WebhookCallOptions, type WebhookResult } from './webhook-call.js';

export interface HookRunOutcome {
  readonly type: WebhookType;
  readonly results: readonly WebhookResult[];
  readonly allSucceeded: boolean;
  readonly anySucceeded: boolean;
}

export interface RunHooksOptions extends WebhookCallOptions {
  /** For `event` hooks: the event being forwarded. */
  readonly event?: HookEvent;
  /** Failures are logged here at warn (post-rollout and event hooks have no other trace). */
  readonly logger?: Logger;
}

export function hooksOfType(hooks: readonly Webhook[] | undefined, type: WebhookType): Webhook[] {
  return (hooks ?? []).filter((h) => (h.type ?? STORED_DEFAULTS.webhook.type) === type);
}

export async function runHooks(
  type: WebhookType,
  hooks: readonly Webhook[] | undefined,
  subject: HookSubject,
  opts: RunHooksOptions,
): Promise<HookRunOutcome> {
  const results: WebhookResult[] = [];
  for (const hook of hooksOfType(hooks, type)) {
    const payload = buildPayload(subject, type, hook.metadata, opts.event);
    const result = await callWebhook(hook, payload, opts);
    if (!result.ok) {
      opts.logger?.warn(
        { hook: hook.name, type, url: hook.url, status: result.status, err: result.error },
        'webhook failed',
      );
    }
    results.push(result);
  }
  return {
    type,
    results,
    allSucceeded: results.every((r) => r.ok),
    anySucceeded: results.some((r) => r.ok),
  };
}

/** "name: message; ..." of the failed hooks, for Events, conditions and logs. */
export function describeHookFailures(outcome: HookRunOutcome): string {
  return outcome.results.flatMap((r) => (r.ok ? [] : [r.error.message])).join('; ');
}

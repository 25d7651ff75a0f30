// notify(event): send one event to every configured provider at or above its minimum severity,
// in parallel. Results are values, one per provider; the promise never rejects, so the reconciler
// can fire and forget (`void notifier.notify(e)`) without a stuck webhook delaying a rollback or a
// failed one surfacing as a reconcile error. Failures are logged here, once per delivery.
import type { Logger } from 'pino';
import { deliver } from './deliver.js';
import { NOTIFY_FAILURES, NotifyError } from './errors.js';
import { payloadFor } from './payloads/index.js';
import type { SecretReader } from './secrets.js';
import {
  severityRank,
  type NotifyConfig,
  type NotifyEvent,
  type ProviderConfig,
  type ProviderType,
} from './types.js';

export type DeliveryResult =
  | {
      readonly provider: string;
      readonly type: ProviderType;
      readonly outcome: 'sent';
      readonly status: number;
      readonly attempts: number;
    }
  | {
      readonly provider: string;
      readonly type: ProviderType;
      readonly outcome: 'filtered';
      readonly reason: string;
    }
  | {
      readonly provider: string;
      readonly type: ProviderType;
      readonly outcome: 'failed';
      readonly attempts: number;
      readonly status?: number;
      readonly error: NotifyError;
    };

export interface NotifierDeps {
  readonly logger: Logger;
  /** Required when a provider uses urlFrom. */
  readonly secrets?: SecretReader;
  /** Waits between attempts; tests inject one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Per-attempt timeout; tests drive it with a manual clock. @default AbortSignal.timeout */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface Notifier {
  notify(event: NotifyEvent): Promise<readonly DeliveryResult[]>;
  /** Resolves when every delivery started so far has finished (call before exiting). */
  idle(): Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function urlOf(p: ProviderConfig, secrets: SecretReader | undefined): Promise<string> {
  if (p.url !== undefined) return p.url;
  const ref = p.urlFrom?.secretKeyRef;
  if (ref === undefined || secrets === undefined) {
    throw new NotifyError(
      NOTIFY_FAILURES.secret,
      `provider ${p.name}: urlFrom needs a Secret reader`,
    );
  }
  return secrets.read(ref);
}

export function createNotifier(config: NotifyConfig, deps: NotifierDeps): Notifier {
  const log = deps.logger.child({ component: 'notify' });
  const sleep = deps.sleep ?? realSleep;
  const inFlight = new Set<Promise<unknown>>();

  async function send(p: ProviderConfig, e: NotifyEvent): Promise<DeliveryResult> {
    const base = { provider: p.name, type: p.type };
    if (severityRank(e.severity) < severityRank(p.minSeverity)) {
      return {
        ...base,
        outcome: 'filtered',
        reason: `severity ${e.severity} is below ${p.minSeverity}`,
      };
    }
    try {
      const url = await urlOf(p, deps.secrets);
      const d = await deliver(url, payloadFor(e, p), {
        timeoutMs: p.timeoutMs,
        retries: p.retries,
        sleep,
        ...(deps.backoffMs === undefined ? {} : { backoffMs: deps.backoffMs }),
        ...(deps.maxBackoffMs === undefined ? {} : { maxBackoffMs: deps.maxBackoffMs }),
        ...(deps.timeoutSignal === undefined ? {} : { timeoutSignal: deps.timeoutSignal }),
      });
      if (d.ok) return { ...base, outcome: 'sent', status: d.status, attempts: d.attempts };
      return {
        ...base,
        outcome: 'failed',
        attempts: d.attempts,
        ...(d.status === undefined ? {} : { status: d.status }),
        error: d.error,
      };
    } catch (err) {
      const error =
        err instanceof NotifyError
          ? err
          : new NotifyError(
              NOTIFY_FAILURES.internal,
              `provider ${p.name}: ${err instanceof Error ? err.message : String(err)}`,
              { cause: err },
            );
      return { ...base, outcome: 'failed', attempts: 0, error };
    }
  }

  function logResult(r: DeliveryResult, e: NotifyEvent): void {
    const fields = {
      provider: r.provider,
      type: r.type,
      canary: `${e.namespace}/${e.canary}`,
      kind: e.kind,
    };
    if (r.outcome === 'failed')
      log.warn(
        { ...fields, err: r.error, attempts: r.attempts, status: r.status },
        'notification failed',
      );
    else if (r.outcome === 'sent')
      log.debug({ ...fields, attempts: r.attempts }, 'notification sent');
  }

  return {
    notify(event) {
      const all = Promise.all(
        config.providers.map(async (p) => {
          const r = await send(p, event);
          logResult(r, event);
          return r;
        }),
      );
      inFlight.add(all);
      void all.finally(() => inFlight.delete(all));
      return all;
    },
    async idle() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

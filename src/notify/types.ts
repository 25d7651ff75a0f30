// Alert notifications: what happened to a canary run, how bad it is, and where to send it.

export const SEVERITIES = ['info', 'warn', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** The notifications weightlifter sends; every one has a fixed severity. */
export const NOTIFICATION_KINDS = {
  runStarted: { kind: 'RunStarted', severity: 'info' },
  promoted: { kind: 'Promoted', severity: 'info' },
  checkFailed: { kind: 'CheckFailed', severity: 'warn' },
  aborted: { kind: 'Aborted', severity: 'warn' },
  stalled: { kind: 'Stalled', severity: 'warn' },
  thresholdReached: { kind: 'ThresholdReached', severity: 'error' },
  progressDeadline: { kind: 'ProgressDeadlineExceeded', severity: 'error' },
  promotionFailed: { kind: 'PromotionFailed', severity: 'error' },
  rolledBack: { kind: 'RolledBack', severity: 'error' },
} as const satisfies Record<string, { kind: string; severity: Severity }>;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[keyof typeof NOTIFICATION_KINDS]['kind'];

export interface NotifyEvent {
  readonly kind: NotificationKind;
  readonly severity: Severity;
  readonly canary: string;
  readonly namespace: string;
  /** The phase the canary is in after the event. */
  readonly phase: string;
  /** The engine's reason (e.g. FailedChecksThresholdReached). */
  readonly reason: string;
  readonly message: string;
  readonly revision: string | null;
  /** RFC 3339. */
  readonly timestamp: string;
  readonly canaryWeight: number | null;
  readonly failedChecks: number | null;
  /** The operator's name for the cluster, when configured. */
  readonly cluster: string | null;
}

export const PROVIDER_TYPES = ['slack', 'msteams', 'discord', 'generic'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** One destination, as written in the notification config. */
export interface ProviderConfig {
  /** Shown in logs and results; defaults to `<type>-<index>`. */
  readonly name: string;
  readonly type: ProviderType;
  /** Exactly one of url and urlFrom. */
  readonly url?: string;
  /** A key of a Secret in the controller's namespace holding the URL (incoming webhooks are secrets). */
  readonly urlFrom?: { readonly secretKeyRef: SecretKeyRef };
  /** Events below this severity are not sent. @default info */
  readonly minSeverity: Severity;
  /** Slack only (legacy webhooks honour it); Teams and Discord bind the channel to the URL. */
  readonly channel?: string;
  /** Slack and Discord. */
  readonly username?: string;
  /** Per attempt, in ms. @default 5000 */
  readonly timeoutMs: number;
  /** Extra attempts after a timeout, network error, 5xx or 429. @default 2 */
  readonly retries: number;
}

export interface NotifyConfig {
  /** Added to every message (e.g. "prod-eu"), so one channel can serve several clusters. */
  readonly cluster?: string;
  readonly providers: readonly ProviderConfig[];
}

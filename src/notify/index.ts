// Alert notifications (Slack, Microsoft Teams, Discord, generic JSON webhook). See README.md.
export { notifyConfigFromText, parseNotifyConfig } from './config.js';
export { notificationFor, type EngineEventInput } from './engine-events.js';
export { NOTIFY_FAILURES, NotifyError, type NotifyFailure } from './errors.js';
export {
  createNotifier,
  type DeliveryResult,
  type Notifier,
  type NotifierDeps,
} from './notifier.js';
export { payloadFor } from './payloads/index.js';
export { createSecretReader, type SecretReader } from './secrets.js';
export * from './types.js';

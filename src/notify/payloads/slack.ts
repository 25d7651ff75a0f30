// Slack incoming webhook: `text` (notification fallback) plus one attachment with the severity
// colour and fields. `channel`/`username` only matter to legacy webhooks; app webhooks ignore them.
import type { ProviderConfig, NotifyEvent } from '../types.js';
import { facts, HEX, title } from './common.js';

export function slackPayload(
  e: NotifyEvent,
  p: Pick<ProviderConfig, 'channel' | 'username'>,
): Record<string, unknown> {
  return {
    ...(p.channel === undefined ? {} : { channel: p.channel }),
    ...(p.username === undefined ? {} : { username: p.username }),
    text: title(e),
    attachments: [
      {
        color: HEX[e.severity],
        fallback: `${title(e)}: ${e.message}`,
        title: title(e),
        text: e.message,
        fields: facts(e).map((f) => ({ title: f.name, value: f.value, short: true })),
        footer: 'weightlifter',
        ts: Math.floor(Date.parse(e.timestamp) / 1000),
      },
    ],
  };
}

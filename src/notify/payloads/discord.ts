// Discord webhook: short `content` plus one embed (colour as an integer, ISO timestamp). Discord
// enforces lengths (content 2000, title 256, description 4096, field value 1024) and answers 400
// beyond them, so everything is clipped.
import type { NotifyEvent, ProviderConfig } from '../types.js';
import { clip, facts, HEX, title } from './common.js';

export function discordPayload(
  e: NotifyEvent,
  p: Pick<ProviderConfig, 'username'>,
): Record<string, unknown> {
  return {
    ...(p.username === undefined ? {} : { username: clip(p.username, 80) }),
    content: clip(title(e), 2000),
    embeds: [
      {
        title: clip(title(e), 256),
        description: clip(e.message, 4096),
        color: Number.parseInt(HEX[e.severity].slice(1), 16),
        fields: facts(e).map((f) => ({ name: f.name, value: clip(f.value, 1024), inline: true })),
        timestamp: e.timestamp,
        footer: { text: 'weightlifter' },
      },
    ],
  };
}

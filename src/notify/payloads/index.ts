// One payload builder per provider type; the switch is the only place that knows them all.
import type { NotifyEvent, ProviderConfig } from '../types.js';
import { discordPayload } from './discord.js';
import { genericPayload } from './generic.js';
import { teamsPayload } from './msteams.js';
import { slackPayload } from './slack.js';

export function payloadFor(e: NotifyEvent, p: ProviderConfig): Record<string, unknown> {
  switch (p.type) {
    case 'slack':
      return slackPayload(e, p);
    case 'msteams':
      return teamsPayload(e);
    case 'discord':
      return discordPayload(e, p);
    case 'generic':
      return genericPayload(e);
  }
}

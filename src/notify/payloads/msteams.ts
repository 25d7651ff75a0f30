// Microsoft Teams: an Adaptive Card in a `message` envelope, the format both Teams Workflows
// ("Post to a channel when a webhook request is received") and the older connectors accept.
import type { NotifyEvent, Severity } from '../types.js';
import { facts, title } from './common.js';

const COLOR: Record<Severity, string> = { info: 'Good', warn: 'Warning', error: 'Attention' };

export function teamsPayload(e: NotifyEvent): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: [
            {
              type: 'TextBlock',
              text: title(e),
              weight: 'Bolder',
              size: 'Medium',
              color: COLOR[e.severity],
              wrap: true,
            },
            { type: 'TextBlock', text: e.message, wrap: true },
            { type: 'FactSet', facts: facts(e).map((f) => ({ title: f.name, value: f.value })) },
          ],
        },
      },
    ],
  };
}

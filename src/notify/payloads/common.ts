// What every chat message says, whatever the service: a title, the engine's message and a few
// facts. Colours follow the severity (Slack/Discord/Teams each want their own encoding).
import type { NotifyEvent, Severity } from '../types.js';

const TITLES: Record<NotifyEvent['kind'], string> = {
  RunStarted: 'canary analysis started',
  Promoted: 'promoted',
  CheckFailed: 'check failed',
  Aborted: 'aborted by an operator, rolled back',
  Stalled: 'stalled',
  ThresholdReached: 'rolled back: failed checks threshold reached',
  ProgressDeadlineExceeded: 'rolled back: progress deadline exceeded',
  PromotionFailed: 'promotion failed',
  RolledBack: 'rolled back',
};

export const shortRevision = (r: string | null): string => (r === null ? '-' : r.slice(0, 12));

export function title(e: NotifyEvent): string {
  const where = e.cluster === null ? '' : ` [${e.cluster}]`;
  return `${e.namespace}/${e.canary}${where}: ${TITLES[e.kind]}`;
}

export interface Fact {
  readonly name: string;
  readonly value: string;
}

export function facts(e: NotifyEvent): Fact[] {
  const list: Fact[] = [
    { name: 'Canary', value: `${e.namespace}/${e.canary}` },
    { name: 'Phase', value: e.phase },
    { name: 'Revision', value: shortRevision(e.revision) },
    { name: 'Severity', value: e.severity },
  ];
  if (e.canaryWeight !== null) list.push({ name: 'Canary weight', value: `${e.canaryWeight}%` });
  if (e.failedChecks !== null) list.push({ name: 'Failed checks', value: String(e.failedChecks) });
  if (e.cluster !== null) list.push({ name: 'Cluster', value: e.cluster });
  return list;
}

export const HEX: Record<Severity, string> = { info: '#2eb886', warn: '#daa038', error: '#a30200' };

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

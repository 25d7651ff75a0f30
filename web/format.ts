// Small formatting helpers shared by the pages.
import type { Phase } from '../src/api/constants.js';

export function since(iso: string | undefined, now: number): string {
  if (iso === undefined) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

/** The colour class of a phase: settled green, running blue, waiting amber, failed red. */
export function phaseTone(phase: Phase | undefined): string {
  switch (phase) {
    case 'Succeeded':
    case 'Initialized':
      return 'ok';
    case 'Failed':
      return 'bad';
    case 'Waiting':
    case 'WaitingPromotion':
      return 'wait';
    case undefined:
    case 'Initializing':
    case 'Terminating':
      return 'idle';
    default:
      return 'run';
  }
}

export const shortRevision = (r: string | undefined): string =>
  r === undefined ? '' : r.slice(0, 10);

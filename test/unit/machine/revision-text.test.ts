// Messages and Events name a revision by its first REVISION_SHOWN characters, so the reason after
// it stays readable; status.revision keeps the whole SHA-256.
import { describe, expect, it } from '@jest/globals';
import { REVISION_SHOWN, shortRevision } from '../../../src/machine/draft.js';
import type { Effect } from '../../../src/machine/types.js';
import { World, bad, spec } from './harness.js';

const REV = 'a'.repeat(10) + '0123456789abcdef'.repeat(3) + 'f'.repeat(6); // 64 hex digits
const SHOWN = REV.slice(0, REVISION_SHOWN);

const notes = (effects: readonly Effect[]): string[] =>
  effects.flatMap((e) => (e.type === 'emitEvent' ? [e.message] : []));

describe('revisions in messages', () => {
  it('shows the first 12 characters, and ? for none', () => {
    expect(REV).toHaveLength(64);
    expect(shortRevision(REV)).toBe(REV.slice(0, 12));
    expect(shortRevision('rev2')).toBe('rev2');
    expect(shortRevision(null)).toBe('?');
    expect(shortRevision(undefined)).toBe('?');
  });

  it('a run and its rollback name the short revision; the status keeps the whole one', async () => {
    const s = spec({ threshold: 1 });
    const w = await World.initialized(s);
    w.release(REV);
    const started = await w.reconcile(s);
    expect(w.status?.revision).toBe(REV);
    expect(notes(started.plan.effects).join('\n')).toContain(`analysing revision ${SHOWN}`);
    await w.reconcile(s);
    w.checks = [bad()];
    await w.wait(s.intervalMs);
    const failed = await w.reconcile(s);
    expect(w.status).toMatchObject({ phase: 'Failed', revision: REV });
    const message = w.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toMatch(new RegExp(`^rolled back revision ${SHOWN}: `));
    expect(message).not.toContain(REV);
    expect(notes(failed.plan.effects)).toEqual([message]);
  });
});

// Events on the real API server: written on transitions only, repeats counted into the Event's
// series, and visible through core/v1 too (what `kubectl describe` and `kubectl get events` read).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { EventRecorder, createEventSink } from '../../src/kube/events.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath } from '../../src/kube/resources.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'kube-events';
let raw: KubeRawClient;

interface EventV1 {
  metadata: { name: string };
  reason: string;
  note: string;
  type: string;
  regarding: { kind: string; name: string; uid?: string };
  series?: { count: number; lastObservedTime: string };
}

const listEvents = async (): Promise<EventV1[]> =>
  (await raw.get<{ items: EventV1[] }>(collectionPath(BUILTIN.events, NS))).items;

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('EventRecorder (real API server)', () => {
  it('writes transitions, suppresses repeats and folds recurrences into a series', async () => {
    const cm = await raw.create<KubeObject>(collectionPath(BUILTIN.configMaps, NS), {
      metadata: { name: 'target' },
    });
    const regarding = { ...cm, apiVersion: 'v1', kind: 'ConfigMap' };
    const recorder = new EventRecorder({
      sink: createEventSink(raw),
      logger: pino({ level: 'silent' }),
      reportingInstance: 'test_1',
    });
    const rec = (reason: string, note: string) =>
      recorder.record({
        regarding,
        type: reason === 'Halted' ? 'Warning' : 'Normal',
        reason,
        action: reason,
        note,
      });

    expect(await rec('Halted', 'no data for success-rate')).toBe('created');
    for (let i = 0; i < 10; i++)
      expect(await rec('Halted', 'no data for success-rate')).toBe('suppressed');
    expect(await rec('Progressing', 'weight 10')).toBe('created');
    expect(await rec('Halted', 'no data for success-rate')).toBe('series');

    const events = await eventually('two Events', async () => {
      const items = await listEvents();
      return items.length === 2 ? items : undefined;
    });
    const halted = events.find((e) => e.reason === 'Halted');
    expect(halted).toMatchObject({
      type: 'Warning',
      note: 'no data for success-rate',
      regarding: { kind: 'ConfigMap', name: 'target', uid: cm.metadata?.uid },
      series: { count: 12 },
    });
    expect(events.find((e) => e.reason === 'Progressing')?.series).toBeUndefined();

    // The same Events through core/v1, as kubectl describe shows them.
    const core = await raw.get<{ items: { reason: string; involvedObject: { name: string } }[] }>(
      `/api/v1/namespaces/${NS}/events`,
    );
    expect(core.items.map((e) => e.reason).sort()).toEqual(['Halted', 'Progressing']);
    expect(core.items.every((e) => e.involvedObject.name === 'target')).toBe(true);
  });
});

// The page's copy of what the dashboard watches: a snapshot, then every change, over one
// Server-Sent Events stream. The browser's EventSource reconnects by itself; each reconnect
// starts with a fresh snapshot.
import type { RunSeries } from '../src/dashboard/series-view.js';
import type { CanaryView, EventView } from '../src/dashboard/view.js';

export interface State {
  readonly canaries: ReadonlyMap<string, CanaryView>;
  readonly events: readonly EventView[];
  readonly connected: boolean;
}

export const keyOf = (c: { namespace: string; name: string }): string => `${c.namespace}/${c.name}`;

let state: State = { canaries: new Map(), events: [], connected: false };
const listeners = new Set<() => void>();

function set(next: State): void {
  state = next;
  for (const l of listeners) l();
}

export const getState = (): State => state;

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const EVENTS_KEPT = 2000;

export function connect(): void {
  const source = new EventSource('/api/stream');
  source.addEventListener('snapshot', (e) => {
    const snap = JSON.parse((e as MessageEvent<string>).data) as {
      canaries: CanaryView[];
      events: EventView[];
    };
    set({
      canaries: new Map(snap.canaries.map((c) => [keyOf(c), c])),
      events: snap.events,
      connected: true,
    });
  });
  source.addEventListener('canary', (e) => {
    const { canary } = JSON.parse((e as MessageEvent<string>).data) as { canary: CanaryView };
    set({ ...state, canaries: new Map(state.canaries).set(keyOf(canary), canary) });
  });
  source.addEventListener('deleted', (e) => {
    const gone = JSON.parse((e as MessageEvent<string>).data) as {
      namespace: string;
      name: string;
    };
    const canaries = new Map(state.canaries);
    canaries.delete(keyOf(gone));
    set({ ...state, canaries });
  });
  source.addEventListener('event', (e) => {
    const { event } = JSON.parse((e as MessageEvent<string>).data) as { event: EventView };
    const events = [...state.events.filter((x) => x.uid !== event.uid), event].slice(-EVENTS_KEPT);
    set({ ...state, events });
  });
  source.addEventListener('error', () => {
    set({ ...state, connected: false });
  });
}

/** The server's per-page facts, from index.html. */
export const page = {
  csrf: document.querySelector('meta[name="wl-csrf"]')?.getAttribute('content') ?? '',
  readOnly: document.querySelector('meta[name="wl-read-only"]')?.getAttribute('content') === 'true',
  prometheus:
    document.querySelector('meta[name="wl-prometheus"]')?.getAttribute('content') === 'true',
};

/** The checks' series of the Canary's newest run (asked of the server, which asks Prometheus). */
export async function fetchSeries(c: {
  namespace: string;
  name: string;
}): Promise<RunSeries | null> {
  const res = await fetch(
    `/api/series/${encodeURIComponent(c.namespace)}/${encodeURIComponent(c.name)}`,
  );
  const body = (await res.json()) as { series?: RunSeries | null; error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.series ?? null;
}

export async function operate(c: CanaryView, action: string): Promise<string> {
  const res = await fetch(
    `/api/canaries/${encodeURIComponent(c.namespace)}/${encodeURIComponent(c.name)}/${action}`,
    {
      method: 'POST',
      headers: { 'x-weightlifter-csrf': page.csrf, 'content-type': 'application/json' },
      body: '{}',
    },
  );
  const body = (await res.json()) as { request?: string; error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.request ?? '';
}

export async function canOperate(namespace: string): Promise<boolean> {
  if (page.readOnly) return false;
  const res = await fetch(`/api/access/${encodeURIComponent(namespace)}`);
  if (!res.ok) return false;
  return ((await res.json()) as { canOperate: boolean }).canOperate;
}

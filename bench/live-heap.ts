// The controller's live heap: V8 heap in use right after a forced full GC, the figure to size the
// old generation from (RSS and "heap used" include garbage not yet collected). Read through the
// inspector, which the controller (started with --inspect-port=127.0.0.1:0) opens only when sent
// SIGUSR1: nothing of it runs while the run is measured, and it is opened once, at the end.
import { createWriteStream } from 'node:fs';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { sleep } from './stats.js';

interface Reply {
  readonly id?: number;
  readonly result?: { readonly usedSize?: number };
  readonly error?: { readonly message?: string };
}

/** Opens the inspector of `pid` (SIGUSR1) and waits until `url()` knows its address. */
export async function openInspector(
  pid: number,
  url: () => string | undefined,
  timeoutMs = 10_000,
): Promise<string> {
  if (url() === undefined) process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  for (let u = url(); ; u = url()) {
    if (u !== undefined) return u;
    if (Date.now() > deadline) {
      throw new BenchError(
        BENCH_ERROR_CODES.TIMEOUT,
        `controller inspector not open in ${timeoutMs} ms`,
      );
    }
    await sleep(100);
  }
}

/** One DevTools protocol session over the inspector's WebSocket. */
async function withInspector<T>(
  inspectorUrl: string,
  use: (
    call: (method: string, params?: object) => Promise<Reply>,
    onEvent: (method: string, handle: (params: Record<string, unknown>) => void) => void,
  ) => Promise<T>,
): Promise<T> {
  const ws = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => {
      resolve();
    };
    ws.onerror = () => {
      reject(new BenchError(BENCH_ERROR_CODES.CONTROLLER_GONE, `no inspector at ${inspectorUrl}`));
    };
  });
  const waiting = new Map<number, (reply: Reply) => void>();
  const handlers = new Map<string, (params: Record<string, unknown>) => void>();
  ws.onmessage = (e: MessageEvent) => {
    const msg = JSON.parse(String(e.data)) as Reply & {
      method?: string;
      params?: Record<string, unknown>;
    };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
    else if (msg.method !== undefined) handlers.get(msg.method)?.(msg.params ?? {});
  };
  let next = 0;
  const call = (method: string, params?: object): Promise<Reply> =>
    new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, ...(params === undefined ? {} : { params }) }));
    });
  try {
    return await use(call, (method, handle) => handlers.set(method, handle));
  } finally {
    ws.close();
  }
}

/** Forces a full GC in the process behind `inspectorUrl` and returns its V8 heap in use, bytes. */
export function liveHeapBytes(inspectorUrl: string): Promise<number> {
  return withInspector(inspectorUrl, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    const used = usage.result?.usedSize;
    if (used === undefined) {
      throw new BenchError(
        BENCH_ERROR_CODES.UNSUPPORTED,
        `Runtime.getHeapUsage answered no usedSize: ${usage.error?.message ?? 'no error given'}`,
      );
    }
    return used;
  });
}

/**
 * Writes a V8 heap snapshot of the process behind `inspectorUrl` to `file` (open it in Chrome
 * DevTools' Memory tab); the snapshot is taken after a full GC, so it holds only live objects.
 */
export function writeHeapSnapshot(inspectorUrl: string, file: string): Promise<void> {
  return withInspector(inspectorUrl, async (call, onEvent) => {
    const out = createWriteStream(file);
    onEvent('HeapProfiler.addHeapSnapshotChunk', (params) => {
      out.write(String(params['chunk']));
    });
    const reply = await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => {
        if (err) reject(err);
        else resolve();
      });
    });
    if (reply.error !== undefined) {
      throw new BenchError(
        BENCH_ERROR_CODES.UNSUPPORTED,
        `HeapProfiler.takeHeapSnapshot failed: ${reply.error.message ?? 'no error given'}`,
      );
    }
  });
}

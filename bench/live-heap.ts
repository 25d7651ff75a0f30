// The controller's live heap: V8 heap in use right after a forced full GC, the figure to size the
// old generation from (RSS and "heap used" include garbage not yet collected). Read through the
// inspector, which the controller (started with --inspect-port=127.0.0.1:0) opens only when sent
// SIGUSR1: nothing of it runs while the run is measured, and it is opened once, at the end.
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

/** Forces a full GC in the process behind `inspectorUrl` and returns its V8 heap in use, bytes. */
export async function liveHeapBytes(inspectorUrl: string): Promise<number> {
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
  ws.onmessage = (e: MessageEvent) => {
    const reply = JSON.parse(String(e.data)) as Reply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  };
  let next = 0;
  const call = (method: string): Promise<Reply> =>
    new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
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
  } finally {
    ws.close();
  }
}

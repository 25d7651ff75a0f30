import { describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

interface Run {
  proc: ChildProcess;
  finishReconcile(): void;
  lines: { msg?: string; key?: string }[];
  exited: Promise<number | null>;
  waitFor(msg: string): Promise<void>;
}

/** The child's reconciles each last until `finishReconcile()` writes a line to its stdin. */
function run(): Run {
  const proc = spawn(tsx, [child], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: { msg?: string; key?: string }[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  let buf = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as { msg?: string; key?: string };
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      resolve(code);
    }),
  );
  const waitFor = (msg: string): Promise<void> =>
    lines.some((l) => l.msg === msg)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ msg, resolve }));
  const finishReconcile = (): void => {
    proc.stdin.write('finish\n');
  };
  return { proc, finishReconcile, lines, exited, waitFor };
}

describe('graceful shutdown (real process, real signals)', () => {
  it('on SIGTERM finishes the in-flight reconcile, starts no new one, and exits 0', async () => {
    const r = run();
    await r.waitFor('reconcile started');
    r.proc.kill('SIGTERM');
    await r.waitFor('shutting down');
    r.finishReconcile();
    expect(await r.exited).toBe(0);
    const msgs = r.lines.map((l) => l.msg);
    expect(msgs.filter((m) => m === 'reconcile started')).toHaveLength(1); // ns/b never started
    expect(msgs.indexOf('reconcile finished')).toBeGreaterThan(msgs.indexOf('shutting down'));
    expect(msgs.indexOf('controller stopped')).toBeGreaterThan(msgs.indexOf('reconcile finished'));
  }, 30_000);

  it('exits at once with 130 on a second signal', async () => {
    const r = run(); // its reconcile is never finished
    await r.waitFor('reconcile started');
    r.proc.kill('SIGTERM');
    await r.waitFor('shutting down');
    r.proc.kill('SIGINT');
    expect(await r.exited).toBe(130);
    expect(r.lines.map((l) => l.msg)).not.toContain('reconcile finished');
  }, 30_000);
});

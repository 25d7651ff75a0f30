// ProcessGroup.stop() keeps its caller alive until every child is gone, also when those children
// are the caller's last handles (they are unref'd while running so they never hold a caller open).
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/process-group-child.ts', import.meta.url));

function run(): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve({ code, stdout });
    });
  });
}

describe('ProcessGroup.stop()', () => {
  it('resolves in a script whose only handles are the children being stopped', async () => {
    const { code, stdout } = await run();
    const [first, ...rest] = stdout.trim().split('\n');
    const { pid } = JSON.parse(first ?? '{}') as { pid: number };
    expect(rest).toEqual(['stopped']);
    expect(code).toBe(0);
    // The stubborn child (SIGTERM ignored) was SIGKILLed, not left behind.
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);
});
